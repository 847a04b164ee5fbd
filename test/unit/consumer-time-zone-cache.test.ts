import { describe, expect, it } from 'vitest';
import { createTimeZoneCache } from '../../services/consumer/time-zone-cache.ts';

const TENANT = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';

function fakeLookup(zones: Record<string, string>) {
  const calls: string[] = [];
  return {
    calls,
    lookup: async (tenantId: string) => {
      calls.push(tenantId);
      return zones[tenantId.toLowerCase()];
    },
  };
}

describe('createTimeZoneCache', () => {
  it('asks the database once per tenant within the TTL, whatever the letter case of the id', async () => {
    const { calls, lookup } = fakeLookup({ [TENANT]: 'Asia/Tokyo' });
    const timeZoneOf = createTimeZoneCache(lookup, 30_000, () => 1_000);
    expect(await timeZoneOf(TENANT)).toBe('Asia/Tokyo');
    expect(await timeZoneOf(TENANT)).toBe('Asia/Tokyo');
    expect(await timeZoneOf(TENANT.toUpperCase())).toBe('Asia/Tokyo');
    expect(calls).toEqual([TENANT]);
  });

  it('asks again once the TTL passed, and sees a changed timezone', async () => {
    const zones: Record<string, string> = { [TENANT]: 'Asia/Tokyo' };
    const { calls, lookup } = fakeLookup(zones);
    let now = 0;
    const timeZoneOf = createTimeZoneCache(lookup, 30_000, () => now);
    await timeZoneOf(TENANT);
    zones[TENANT] = 'Europe/Berlin';
    now = 29_999;
    expect(await timeZoneOf(TENANT)).toBe('Asia/Tokyo');
    now = 30_000;
    expect(await timeZoneOf(TENANT)).toBe('Europe/Berlin');
    expect(calls).toHaveLength(2);
  });

  it('never remembers an unknown tenant: that answer dead-letters a message, so it is always fresh', async () => {
    const zones: Record<string, string> = {};
    const { calls, lookup } = fakeLookup(zones);
    const timeZoneOf = createTimeZoneCache(lookup, 30_000, () => 0);
    expect(await timeZoneOf(TENANT)).toBeUndefined();
    zones[TENANT] = 'Asia/Tokyo';
    expect(await timeZoneOf(TENANT)).toBe('Asia/Tokyo');
    expect(calls).toHaveLength(2);
  });

  it('shares one lookup between concurrent callers', async () => {
    const { calls, lookup } = fakeLookup({ [TENANT]: 'Asia/Tokyo' });
    const timeZoneOf = createTimeZoneCache(lookup, 30_000, () => 0);
    expect(await Promise.all([timeZoneOf(TENANT), timeZoneOf(TENANT), timeZoneOf(TENANT)])).toEqual([
      'Asia/Tokyo',
      'Asia/Tokyo',
      'Asia/Tokyo',
    ]);
    expect(calls).toHaveLength(1);
  });

  it('passes a failing lookup on (a transient error: the batch is retried) and remembers nothing', async () => {
    let fail = true;
    const timeZoneOf = createTimeZoneCache(
      async () => {
        if (fail) throw new Error('connect ECONNREFUSED');
        return 'Asia/Tokyo';
      },
      30_000,
      () => 0,
    );
    await expect(timeZoneOf(TENANT)).rejects.toThrow('connect ECONNREFUSED');
    fail = false;
    expect(await timeZoneOf(TENANT)).toBe('Asia/Tokyo');
  });
});
