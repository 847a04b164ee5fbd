import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from '../../services/ingress/fairness/token-buckets.ts';
import { createTenantRateLimit } from '../../services/ingress/fairness/tenant-rate-limit.ts';

const TWO_PER_SECOND = { ratePerSecond: 2, burst: 2 };

describe('token buckets', () => {
  it('lets a full bucket take its burst at once, then refuses with the seconds until the next token', () => {
    const buckets = createTokenBuckets(10);
    const limit = { ratePerSecond: 0.25, burst: 3 };
    expect([1, 2, 3].map(() => buckets.take('a', limit, 1_000))).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    // One token every 4 s.
    expect(buckets.take('a', limit, 1_000)).toEqual({ allowed: false, retryAfterSeconds: 4 });
    expect(buckets.take('a', limit, 2_500)).toEqual({ allowed: false, retryAfterSeconds: 3 });
    expect(buckets.take('a', limit, 4_999)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.take('a', limit, 5_000)).toEqual({ allowed: true });
  });

  it('says at least 1 second, even when the next token is a few milliseconds away', () => {
    const buckets = createTokenBuckets(10);
    const limit = { ratePerSecond: 1_000, burst: 1 };
    expect(buckets.take('a', limit, 0)).toEqual({ allowed: true });
    expect(buckets.take('a', limit, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.take('a', limit, 1)).toEqual({ allowed: true });
  });

  it('refills at the rate and never beyond the burst', () => {
    const buckets = createTokenBuckets(10);
    expect(buckets.take('a', TWO_PER_SECOND, 0)).toEqual({ allowed: true });
    expect(buckets.take('a', TWO_PER_SECOND, 0)).toEqual({ allowed: true });
    expect(buckets.take('a', TWO_PER_SECOND, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Half a second brings one token back; an hour of quiet brings back two, not 7,200.
    expect(buckets.take('a', TWO_PER_SECOND, 500)).toEqual({ allowed: true });
    expect(buckets.take('a', TWO_PER_SECOND, 500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    const later = 3_600_000;
    expect([1, 2, 3].map(() => buckets.take('a', TWO_PER_SECOND, later).allowed)).toEqual([true, true, false]);
  });

  it('keeps each tenant apart', () => {
    const buckets = createTokenBuckets(10);
    const limit = { ratePerSecond: 1, burst: 1 };
    expect(buckets.take('a', limit, 0)).toEqual({ allowed: true });
    expect(buckets.take('a', limit, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.take('b', limit, 0)).toEqual({ allowed: true });
  });

  it('applies a lowered burst at once and a rate of 0 as unlimited', () => {
    const buckets = createTokenBuckets(10);
    expect(buckets.take('a', { ratePerSecond: 1, burst: 100 }, 0)).toEqual({ allowed: true });
    expect(buckets.take('a', { ratePerSecond: 1, burst: 1 }, 0)).toEqual({ allowed: true });
    expect(buckets.take('a', { ratePerSecond: 1, burst: 1 }, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    for (let request = 0; request < 1_000; request++)
      expect(buckets.take('a', { ratePerSecond: 0, burst: 1 }, 0)).toEqual({ allowed: true });
    expect(buckets.size()).toBe(0);
  });

  it('adds nothing when the clock steps back', () => {
    const buckets = createTokenBuckets(10);
    const limit = { ratePerSecond: 1, burst: 1 };
    expect(buckets.take('a', limit, 10_000)).toEqual({ allowed: true });
    expect(buckets.take('a', limit, 5_000)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('holds at most its bound of tenants, forgetting the one least recently seen', () => {
    const buckets = createTokenBuckets(3);
    const limit = { ratePerSecond: 1, burst: 1 };
    for (const tenant of ['a', 'b', 'c']) buckets.take(tenant, limit, 0);
    buckets.take('a', limit, 0);
    for (let index = 0; index < 100; index++) buckets.take(`other-${index}`, limit, 0);
    expect(buckets.size()).toBe(3);
    // 'a' was forgotten like the rest and starts full again.
    expect(buckets.take('a', limit, 0)).toEqual({ allowed: true });
  });
});

describe('tenant rate limit', () => {
  it("uses the tenant's own rate and burst where it has them, the defaults elsewhere", () => {
    const limit = createTenantRateLimit({ ratePerSecond: 1, burst: 1 });
    const own = { tenantId: 'own', ratePerSecond: 2, burst: 3 };
    expect([1, 2, 3, 4].map(() => limit.take(own, 0).allowed)).toEqual([true, true, true, false]);
    expect(limit.take(own, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    const plain = { tenantId: 'plain' };
    expect([1, 2].map(() => limit.take(plain, 0).allowed)).toEqual([true, false]);
    const burstOnly = { tenantId: 'burst-only', burst: 2 };
    expect([1, 2, 3].map(() => limit.take(burstOnly, 0).allowed)).toEqual([true, true, false]);
  });
});
