import type { Pool } from '../db/pool.ts';
import { TenantNotFoundError } from './repository.ts';
import { tenantSummary, type TenantSummary } from './tenant-summary.ts';

/** The most days a retention can be set to (about a hundred years); the column's check says the same. */
export const MAX_RETENTION_DAYS = 36_500;

/**
 * Stores how many days a tenant's calls are kept (null: for ever); the consumer's retention job deletes
 * the older ones (shared/calls/retention-run.ts).
 */
export async function setRetentionDays(db: Pool, tenantId: string, retentionDays: number | null): Promise<TenantSummary> {
  const { rows } = await db.query(
    `update tenants set retention_days = $2 where tenant_id = $1::uuid
     returning tenant_id, name, timezone, status, created_at, retention_days, signing_secret is not null as signature_required`,
    [tenantId, retentionDays],
  );
  if (rows.length === 0) throw new TenantNotFoundError(tenantId);
  return tenantSummary(rows[0]);
}
