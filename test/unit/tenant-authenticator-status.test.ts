import { describe, expect, it } from 'vitest';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';
import { hashToken } from '../../shared/tokens.ts';
import { AUTHENTICATED, REFUSED, TENANT } from '../support/authenticator-tenant.ts';

/** What an operator changed on the tenant (status, a rotated token's grace period), as the authenticator answers it. */
const VALID_UNTIL = new Date('2030-01-01T00:00:00Z');

function authenticatorOf(tenant: Tenant, clock: { now: number }) {
  return createTenantAuthenticator({ find: async (tenantId) => (tenantId === tenant.tenantId ? tenant : undefined) }, 0, () => clock.now);
}

describe('a disabled tenant', () => {
  const disabled: Tenant = { ...TENANT, status: 'disabled' };
  const clock = { now: 0 };

  it('is named as disabled only to a caller with its right token', async () => {
    const authenticator = authenticatorOf(disabled, clock);
    expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).toEqual({
      outcome: 'disabled',
      tenantId: TENANT.tenantId,
    });
    expect(await authenticator.authenticate(TENANT.tenantId, 'access-token', 'access')).toEqual({
      outcome: 'disabled',
      tenantId: TENANT.tenantId,
    });
    expect(await authenticator.authenticate(TENANT.tenantId, 'wrong', 'access')).toEqual(REFUSED);
    expect(await authenticator.authenticate(TENANT.tenantId, 'access-token', 'ingest')).toEqual(REFUSED);
  });
});

describe("a rotated token's grace period", () => {
  const rotated: Tenant = {
    ...TENANT,
    ingestTokenHash: hashToken('new-ingest-token'),
    previousIngestToken: { hash: hashToken('ingest-token'), validUntil: VALID_UNTIL },
  };

  it('accepts the previous token until validUntil, not at it, and the new one throughout', async () => {
    const clock = { now: VALID_UNTIL.getTime() - 1 };
    const authenticator = authenticatorOf(rotated, clock);
    const answer = (token: string) => authenticator.authenticate(TENANT.tenantId, token, 'ingest');
    expect(await answer('ingest-token')).toEqual({ outcome: 'authenticated', tenant: rotated });
    expect(await answer('new-ingest-token')).toEqual({ outcome: 'authenticated', tenant: rotated });
    clock.now = VALID_UNTIL.getTime();
    expect(await answer('ingest-token')).toEqual(REFUSED);
    expect(await answer('new-ingest-token')).toEqual({ outcome: 'authenticated', tenant: rotated });
  });

  it('is of one kind only: the previous ingest token is no access token', async () => {
    const authenticator = authenticatorOf(rotated, { now: 0 });
    expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'access')).toEqual(REFUSED);
    expect(await authenticator.authenticate(TENANT.tenantId, 'access-token', 'access')).toEqual({
      outcome: 'authenticated',
      tenant: rotated,
    });
  });

  it('changes nothing for a tenant without one', async () => {
    const authenticator = authenticatorOf(TENANT, { now: 0 });
    expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).toEqual(AUTHENTICATED);
  });
});
