import { describe, expect, it } from 'vitest';
import { erasureSelectorHash } from '../../shared/calls/erasure-hash.ts';
import { DEFAULT_ERASURE_HASH_KEY, loadConfig } from '../../shared/config.ts';

describe('RETENTION_INTERVAL_MS', () => {
  it('is an hour by default, 0 switches the job off, and it stays within what a timer can wait', () => {
    expect(loadConfig({}).RETENTION_INTERVAL_MS).toBe(3_600_000);
    expect(loadConfig({ RETENTION_INTERVAL_MS: '0' }).RETENTION_INTERVAL_MS).toBe(0);
    expect(loadConfig({ RETENTION_INTERVAL_MS: '2147483647' }).RETENTION_INTERVAL_MS).toBe(2_147_483_647);
    expect(() => loadConfig({ RETENTION_INTERVAL_MS: '2147483648' })).toThrow(
      'invalid environment variable RETENTION_INTERVAL_MS="2147483648": must be a decimal integer from 0 to 2147483647',
    );
  });
});

describe('ERASURE_HASH_KEY and the audit hash', () => {
  it('has a development default', () => {
    expect(loadConfig({}).ERASURE_HASH_KEY).toBe(DEFAULT_ERASURE_HASH_KEY);
    expect(loadConfig({ ERASURE_HASH_KEY: 's3cret' }).ERASURE_HASH_KEY).toBe('s3cret');
  });

  // The values `printf 'phone-number:+81312345678' | openssl dgst -sha256 -hmac KEY` prints, as the README says to check.
  it('is HMAC-SHA-256 of <kind>:<value>, the kind keeping a call id and a number written alike apart', () => {
    expect(erasureSelectorHash(DEFAULT_ERASURE_HASH_KEY, 'phone-number', '+81312345678').toString('hex')).toBe(
      '432772f0398e41698c32d53581ac45deda6d2faaa982f7e96754558096da4707',
    );
    expect(erasureSelectorHash(DEFAULT_ERASURE_HASH_KEY, 'call-id', '+81312345678').toString('hex')).toBe(
      'b161e39b118033ef9b7f42dd5b41dcb0c1925ef016a39e711b86f461202a4906',
    );
  });
});
