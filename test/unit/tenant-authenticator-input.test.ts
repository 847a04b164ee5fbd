import { describe, expect, it } from 'vitest';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import type { TenantRepository } from '../../shared/tenants/repository.ts';
import { AUTHENTICATED, REFUSED, TENANT } from '../support/authenticator-tenant.ts';

function countingTenants() {
  const lookedUp: string[] = [];
  const repository: TenantRepository = {
    create: () => Promise.reject(new Error('not used')),
    find: async (tenantId) => {
      lookedUp.push(tenantId);
      return tenantId === TENANT.tenantId ? TENANT : undefined;
    },
  };
  return { lookedUp, repository };
}

// Regression: a repeated ?token reached the hash as an array and threw, which the route answered 503.
describe('tenant authenticator, given what a request can carry', () => {
  it.each([
    ['an array of the right token', ['ingest-token', 'ingest-token']],
    ['an array of one right token', ['ingest-token']],
    ['a number', 42],
    ['an object', { token: 'ingest-token' }],
    ['null', null],
    ['undefined', undefined],
  ])('refuses %s as a token, without throwing', async (_name, token) => {
    const { repository } = countingTenants();
    await expect(createTenantAuthenticator(repository, 0).authenticate(TENANT.tenantId, token, 'ingest')).resolves.toEqual(REFUSED);
  });

  it.each([
    ['not a uuid', 'not-a-uuid'],
    ['an array of the tenant id', [TENANT.tenantId]],
    ['a number', 7],
    ['a uuid with a suffix', `${TENANT.tenantId}x`],
    ['empty', ''],
  ])('refuses a tenant id that is %s without a database lookup or a cache entry', async (_name, tenantId) => {
    const { lookedUp, repository } = countingTenants();
    const authenticator = createTenantAuthenticator(repository, 60_000);
    await expect(authenticator.authenticate(tenantId, 'ingest-token', 'ingest')).resolves.toEqual(REFUSED);
    expect(lookedUp).toEqual([]);
  });

  it('still accepts the right token for a real tenant id', async () => {
    const { lookedUp, repository } = countingTenants();
    await expect(createTenantAuthenticator(repository, 0).authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).resolves.toEqual(
      AUTHENTICATED,
    );
    expect(lookedUp).toEqual([TENANT.tenantId]);
  });
});
