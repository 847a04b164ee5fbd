/**
 * One token bucket per tenant: a request takes a token; tokens come back at `ratePerSecond` up to `burst`.
 * Pure (the caller passes the time in milliseconds), so tests drive it with a clock of their own.
 *
 * The map is bounded: past `maxTenants` the tenant least recently seen loses its bucket, and starts again
 * full when it comes back. Only authenticated tenants reach it, so the bound is about how many tenants
 * there are, not about what a caller can make up.
 */
export interface BucketLimit {
  /** Tokens added per second; 0: unlimited (no bucket is kept). */
  ratePerSecond: number;
  /** Tokens a full bucket holds: how many requests may come at once after a quiet spell. */
  burst: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface TokenBuckets {
  take(tenantId: string, limit: BucketLimit, nowMs: number): TakeResult;
  size(): number;
}

const ALLOWED: TakeResult = { allowed: true };

export function createTokenBuckets(maxTenants: number): TokenBuckets {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  return {
    take(tenantId, { ratePerSecond, burst }, nowMs) {
      if (ratePerSecond === 0) {
        buckets.delete(tenantId);
        return ALLOWED;
      }
      const bucket = buckets.get(tenantId);
      // A clock that steps back adds nothing rather than taking tokens away.
      const elapsedMs = bucket ? Math.max(0, nowMs - bucket.updatedAt) : 0;
      // Clamped to the burst of now: a limit lowered by an operator applies at once.
      const available = bucket ? Math.min(burst, bucket.tokens + (elapsedMs * ratePerSecond) / 1000) : burst;
      buckets.delete(tenantId);
      if (buckets.size >= maxTenants) buckets.delete(buckets.keys().next().value!);
      if (available >= 1) {
        buckets.set(tenantId, { tokens: available - 1, updatedAt: nowMs });
        return ALLOWED;
      }
      buckets.set(tenantId, { tokens: available, updatedAt: nowMs });
      // Whole seconds, as Retry-After is written; at least 1, so a sender never retries in the same moment.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - available) / ratePerSecond)) };
    },
    size: () => buckets.size,
  };
}
