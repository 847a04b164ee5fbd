import { describe, expect, it } from 'vitest';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import type { Tenant, TenantRepository } from '../../shared/tenants/repository.ts';
import { hashToken } from '../../shared/tokens.ts';
import { AUTHENTICATED, REFUSED, TENANT } from '../support/authenticator-tenant.ts';

/** An in-memory tenant store whose lookups stay pending until released, counting them. */
function slowTenants() {
  const waiting: Array<() => void> = [];
  const store = {
    finds: 0,
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
    repository: {
      create: () => Promise.reject(new Error('not used')),
      find: (tenantId: string) => {
        store.finds += 1;
        return new Promise<Tenant | undefined>((resolve) => waiting.push(() => resolve(tenantId === TENANT.tenantId ? TENANT : undefined)));
      },
    } satisfies TenantRepository,
  };
  return store;
}

/** The stored tenant, which a test may replace (a rotation), counting lookups. */
function changingTenant() {
  const store: { stored: Tenant; finds: number; repository: TenantRepository } = {
    stored: TENANT,
    finds: 0,
    repository: {
      create: () => Promise.reject(new Error('not used')),
      find: async (tenantId: string) => {
        store.finds += 1;
        return tenantId === TENANT.tenantId ? store.stored : undefined;
      },
    },
  };
  return store;
}

describe('tenant authenticator', () => {
  // Regression: an expired entry under load once sent every waiting request to the database at once.
  it('shares one lookup among concurrent requests for the same tenant', async () => {
    const store = slowTenants();
    const authenticator = createTenantAuthenticator(store.repository, 30_000);
    const answers = Array.from({ length: 50 }, (_, index) =>
      authenticator.authenticate(TENANT.tenantId, index % 2 ? 'ingest-token' : 'wrong', 'ingest'),
    );
    store.release();
    const results = await Promise.all(answers);
    expect(store.finds).toBe(1);
    expect(results.filter((result) => result.outcome === 'authenticated')).toHaveLength(25);
  });

  it('looks a tenant up again once its entry expired, and an unknown one the same way', async () => {
    let clock = 0;
    const store = slowTenants();
    const authenticator = createTenantAuthenticator(store.repository, 1_000, () => clock);
    const check = async (tenantId: string, token: string) => {
      const answer = authenticator.authenticate(tenantId, token, 'access');
      store.release();
      return answer;
    };
    expect(await check(TENANT.tenantId, 'access-token')).toEqual(AUTHENTICATED);
    expect(await check(TENANT.tenantId, 'access-token')).toEqual(AUTHENTICATED);
    expect(store.finds).toBe(1);
    clock = 1_001;
    expect(await check(TENANT.tenantId, 'access-token')).toEqual(AUTHENTICATED);
    expect(store.finds).toBe(2);
    expect(await check('00000000-0000-0000-0000-000000000000', 'access-token')).toEqual(REFUSED);
    expect(store.finds).toBe(3);
  });

  it('a new token works at once: a refused token is checked again against the tenant read afresh, at most once a second', async () => {
    let clock = 0;
    const store = changingTenant();
    const authenticator = createTenantAuthenticator(store.repository, 30_000, () => clock);
    expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).toEqual(AUTHENTICATED);
    // Rotated (grace 0) while the entry is cached for another 30 s.
    store.stored = { ...TENANT, ingestTokenHash: hashToken('rotated-ingest-token') };
    clock = 999;
    expect(await authenticator.authenticate(TENANT.tenantId, 'rotated-ingest-token', 'ingest')).toEqual(REFUSED);
    expect(store.finds).toBe(1);
    clock = 1_000;
    expect(await authenticator.authenticate(TENANT.tenantId, 'rotated-ingest-token', 'ingest')).toEqual({
      outcome: 'authenticated',
      tenant: store.stored,
    });
    expect(store.finds).toBe(2);
    // The old token: refused, and the entry just read is not read again for a flood of them.
    for (let attempt = 0; attempt < 20; attempt++) {
      expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).toEqual(REFUSED);
    }
    expect(store.finds).toBe(2);
    // An unknown tenant costs the same: one lookup, and one more a second later.
    const unknown = '00000000-0000-0000-0000-000000000000';
    expect(await authenticator.authenticate(unknown, 'ingest-token', 'ingest')).toEqual(REFUSED);
    expect(store.finds).toBe(3);
    clock = 2_000;
    expect(await authenticator.authenticate(unknown, 'ingest-token', 'ingest')).toEqual(REFUSED);
    expect(store.finds).toBe(4);
  });

  it('recheck reads the tenant afresh, unless it was read less than a second ago, and caches what it read', async () => {
    let clock = 0;
    const store = changingTenant();
    const authenticator = createTenantAuthenticator(store.repository, 30_000, () => clock);
    expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).toEqual(AUTHENTICATED);
    store.stored = { ...TENANT, signingSecret: 'generated-since' };
    clock = 999;
    expect(await authenticator.recheck(TENANT.tenantId)).toBeUndefined();
    expect(store.finds).toBe(1);
    clock = 1_000;
    expect(await authenticator.recheck(TENANT.tenantId)).toEqual(store.stored);
    expect(store.finds).toBe(2);
    expect(await authenticator.recheck(TENANT.tenantId)).toBeUndefined();
    expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).toEqual({
      outcome: 'authenticated',
      tenant: store.stored,
    });
    expect(store.finds).toBe(2);
  });

  it('does not cache a failed lookup: the next request asks again', async () => {
    let fail = true;
    const repository: TenantRepository = {
      create: () => Promise.reject(new Error('not used')),
      find: async () => {
        if (fail) throw new Error('connection refused');
        return TENANT;
      },
    };
    const authenticator = createTenantAuthenticator(repository, 30_000);
    await expect(authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).rejects.toThrow('connection refused');
    fail = false;
    expect(await authenticator.authenticate(TENANT.tenantId, 'ingest-token', 'ingest')).toEqual(AUTHENTICATED);
  });
});
