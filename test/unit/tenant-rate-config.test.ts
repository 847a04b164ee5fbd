import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';

describe('TENANT_RATE_PER_SECOND and TENANT_BURST', () => {
  it('default above one ingress saturation for one tenant; a rate of 0 is unlimited, a burst of 0 is refused', () => {
    expect(loadConfig({})).toMatchObject({ TENANT_RATE_PER_SECOND: 10_000, TENANT_BURST: 20_000 });
    expect(loadConfig({ TENANT_RATE_PER_SECOND: '0', TENANT_BURST: '1' })).toMatchObject({ TENANT_RATE_PER_SECOND: 0, TENANT_BURST: 1 });
    expect(() => loadConfig({ TENANT_BURST: '0' })).toThrow(
      'invalid environment variable TENANT_BURST="0": must be a decimal integer of at least 1',
    );
    expect(() => loadConfig({ TENANT_RATE_PER_SECOND: '1e3' })).toThrow(
      'invalid environment variable TENANT_RATE_PER_SECOND="1e3": must be a decimal integer of at least 0',
    );
  });
});
