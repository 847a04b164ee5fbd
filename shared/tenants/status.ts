import type { Pool } from '../db/pool.ts';
import { TenantNotFoundError, type TenantStatus } from './repository.ts';
import { tenantSummary, type TenantSummary } from './tenant-summary.ts';

/**
 * Disables or enables a tenant. The services read the status with the tenant (cached for
 * TENANT_CACHE_TTL_MS), so a change reaches every running service within that time; the rows stay.
 */
export async function setTenantStatus(db: Pool, tenantId: string, status: TenantStatus): Promise<TenantSummary> {
  const { rows } = await db.query(
    `update tenants set status = $2 where tenant_id = $1::uuid
     returning tenant_id, name, timezone, status, created_at, retention_days, signing_secret is not null as signature_required`,
    [tenantId, status],
  );
  if (rows.length === 0) throw new TenantNotFoundError(tenantId);
  return tenantSummary(rows[0]);
}
