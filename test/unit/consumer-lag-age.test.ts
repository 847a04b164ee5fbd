import { describe, expect, it } from 'vitest';
import { lagAgeSeconds } from '../../services/consumer/consumer-metrics.ts';
import { loadConfig } from '../../shared/config.ts';

describe('consumer_lag_age_seconds', () => {
  const at = Date.parse('2026-01-02T03:04:05.000Z');
  const partition = { topic: 'call-records.v1', partition: '0' };

  it('is the age of the first record of the batch in flight', () => {
    expect(lagAgeSeconds({ ...partition, lag: 40, processingSince: at - 2_500, lastProcessed: at - 9_000 }, at)).toBe(2.5);
  });

  it('between batches with records behind, is the age of the last one processed (the next is no older)', () => {
    expect(lagAgeSeconds({ ...partition, lag: 3, processingSince: undefined, lastProcessed: at - 1_250 }, at)).toBe(1.25);
  });

  it('is 0 when caught up, or before anything was seen', () => {
    expect(lagAgeSeconds({ ...partition, lag: 0, processingSince: undefined, lastProcessed: at - 60_000 }, at)).toBe(0);
    expect(lagAgeSeconds({ ...partition, lag: 5, processingSince: undefined, lastProcessed: undefined }, at)).toBe(0);
    // A record stamped by a clock ahead of ours is not younger than now.
    expect(lagAgeSeconds({ ...partition, lag: 1, processingSince: at + 500, lastProcessed: undefined }, at)).toBe(0);
  });
});

describe('METRICS_TENANT_IDS', () => {
  const A = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
  it('is a list of tenant ids, lower-cased; unset counts no tenant', () => {
    expect(loadConfig({ METRICS_TENANT_IDS: ` ${A.toUpperCase()}, 0b6c2a36-6f0e-4a39-9b40-3e5f4c6f1d2a` }).METRICS_TENANT_IDS).toEqual([
      A,
      '0b6c2a36-6f0e-4a39-9b40-3e5f4c6f1d2a',
    ]);
    expect(loadConfig({}).METRICS_TENANT_IDS).toBeUndefined();
  });

  it('refuses what is not a tenant id, and more than 100 of them', () => {
    expect(() => loadConfig({ METRICS_TENANT_IDS: `${A},acme` })).toThrow(
      /^invalid environment variable METRICS_TENANT_IDS=.*: must be a comma-separated list of at most 100 tenant ids \(UUIDs\)$/,
    );
    expect(() => loadConfig({ METRICS_TENANT_IDS: Array.from({ length: 101 }, () => A).join(',') })).toThrow(/at most 100 tenant ids/);
  });
});
