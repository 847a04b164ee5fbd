import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import { TENANT_STATUSES, type TenantStatus } from './repository.ts';

/** What an operator is shown of a tenant (npm run cli -- tenants list): never a token, a hash or a signing secret. */
export interface TenantSummary {
  tenantId: string;
  name: string;
  timezone: string;
  status: TenantStatus;
  createdAt: string;
  /** Days a call is kept, counted from its callStartTime; null keeps calls for ever. */
  retentionDays: number | null;
  /** Whether the ingress takes its callbacks only signed (a signing secret is set); never the secret. */
  signatureRequired: boolean;
}

// Parsed, not cast: a column renamed or retyped by a later migration fails here instead of printing wrong values.
const summaryRow = z.object({
  tenant_id: z.string(),
  name: z.string(),
  timezone: z.string(),
  status: z.enum(TENANT_STATUSES),
  created_at: z.date(),
  retention_days: z.number().int().positive().nullable(),
  signature_required: z.boolean(),
});

export function tenantSummary(row: unknown): TenantSummary {
  const parsed = summaryRow.parse(row);
  return {
    tenantId: parsed.tenant_id,
    name: parsed.name,
    timezone: parsed.timezone,
    status: parsed.status,
    createdAt: parsed.created_at.toISOString(),
    retentionDays: parsed.retention_days,
    signatureRequired: parsed.signature_required,
  };
}

export async function listTenants(db: Pool): Promise<TenantSummary[]> {
  const { rows } = await db.query(
    `select tenant_id, name, timezone, status, created_at, retention_days, signing_secret is not null as signature_required
     from tenants order by created_at, tenant_id`,
  );
  return rows.map(tenantSummary);
}
