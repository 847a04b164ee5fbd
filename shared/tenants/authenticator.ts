import { tokenMatches } from '../tokens.ts';
import { isTenantId, type Tenant, type TenantRepository } from './repository.ts';

/**
 * Checks a tenant's token without a database round trip per request: tenants (and unknown ids) are cached
 * for a short TTL in a bounded map. An unknown tenant is checked against a dummy hash, so the answer and
 * its cost are the same as for a wrong token.
 *
 * The arguments are whatever the request carried (a repeated header or query parameter is an array): a
 * tenant id that is not one UUID string, or a token that is not one string, is bad credentials like any
 * other. It never reaches the database or the cache (garbage ids would evict real tenants), and never the
 * hash (which throws on an array, once answered as a failed lookup).
 */
export type TokenKind = 'ingest' | 'access';

export interface TenantAuthenticator {
  authenticate(tenantId: unknown, token: unknown, kind: TokenKind): Promise<Tenant | undefined>;
}

const MAX_ENTRIES = 10_000;

export function createTenantAuthenticator(tenants: TenantRepository, ttlMs: number, now = () => Date.now()): TenantAuthenticator {
  const cache = new Map<string, { tenant: Tenant | undefined; expiresAt: number }>();
  // One database lookup per tenant at a time: when an entry expires under load, the requests waiting on
  // it share one query instead of each taking a pool connection (which once exhausted the pool).
  const inFlight = new Map<string, Promise<Tenant | undefined>>();

  async function fetchAndCache(tenantId: string): Promise<Tenant | undefined> {
    try {
      const tenant = await tenants.find(tenantId);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.delete(tenantId);
      cache.set(tenantId, { tenant, expiresAt: now() + ttlMs });
      return tenant;
    } finally {
      inFlight.delete(tenantId);
    }
  }

  function lookup(tenantId: string): Promise<Tenant | undefined> {
    const hit = cache.get(tenantId);
    if (hit && hit.expiresAt > now()) return Promise.resolve(hit.tenant);
    let pending = inFlight.get(tenantId);
    if (!pending) {
      pending = fetchAndCache(tenantId);
      inFlight.set(tenantId, pending);
    }
    return pending;
  }

  return {
    async authenticate(tenantId, token, kind) {
      const tenant = typeof tenantId === 'string' && isTenantId(tenantId) ? await lookup(tenantId) : undefined;
      const storedHash = kind === 'ingest' ? tenant?.ingestTokenHash : tenant?.accessTokenHash;
      const ok = tokenMatches(typeof token === 'string' ? token : '', storedHash);
      return ok ? tenant : undefined;
    },
  };
}
