import type { Pool } from '../db/pool.ts';
import { TenantNotFoundError } from './repository.ts';
import { tenantSummary, type TenantSummary } from './tenant-summary.ts';

/** The largest rate or burst a tenant can be given; the columns' checks say the same (migration 0006). */
export const MAX_TENANT_RATE = 1_000_000_000;

/**
 * A tenant's own ingress rate limit: a number, null for the configured default, absent to leave it as it
 * is. Running ingresses apply it once their cached tenant expires (TENANT_CACHE_TTL_MS).
 */
export interface RateLimitChange {
  ratePerSecond?: number | null;
  burst?: number | null;
}

export async function setRateLimit(db: Pool, tenantId: string, change: RateLimitChange): Promise<TenantSummary> {
  const { rows } = await db.query(
    `update tenants
     set rate_per_second = case when $2 then $3::bigint else rate_per_second end,
         burst = case when $4 then $5::bigint else burst end
     where tenant_id = $1::uuid
     returning tenant_id, name, timezone, status, created_at, retention_days, signing_secret is not null as signature_required`,
    [tenantId, change.ratePerSecond !== undefined, change.ratePerSecond ?? null, change.burst !== undefined, change.burst ?? null],
  );
  if (rows.length === 0) throw new TenantNotFoundError(tenantId);
  return tenantSummary(rows[0]);
}
