import type { Tenant } from '../../../shared/tenants/repository.ts';
import { createTokenBuckets, type BucketLimit, type TakeResult } from './token-buckets.ts';

/**
 * Per-tenant fairness at the ingress: each authenticated tenant draws from its own bucket, sized by its
 * override (npm run cli -- tenants set … --rate-per-second --burst) or else the configured default.
 */
export interface TenantRateLimit {
  take(tenant: Pick<Tenant, 'tenantId' | 'ratePerSecond' | 'burst'>, nowMs: number): TakeResult;
}

/** As many buckets as the authenticator caches tenants: more tenants than that are not all active at once. */
const MAX_TENANT_BUCKETS = 10_000;

export function createTenantRateLimit(defaults: BucketLimit): TenantRateLimit {
  const buckets = createTokenBuckets(MAX_TENANT_BUCKETS);
  return {
    take: (tenant, nowMs) =>
      buckets.take(
        tenant.tenantId,
        { ratePerSecond: tenant.ratePerSecond ?? defaults.ratePerSecond, burst: tenant.burst ?? defaults.burst },
        nowMs,
      ),
  };
}
