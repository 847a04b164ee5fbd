import { tokenMatchesOneOf } from '../tokens.ts';
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
 *
 * What an operator changes (npm run cli -- tenants …) is read with the tenant, so it reaches every running
 * service within the TTL: a disabled or enabled tenant, the end of an old token. A new token works at once:
 * a token the cached entry refuses is checked again against the tenant read afresh, unless that entry was
 * read less than a second ago (so a flood of wrong tokens costs at most one query per tenant a second). An
 * unknown tenant is read again the same way, so the work stays the same as for a wrong token. A rotated token's grace period is
 * checked against the clock on each request, so it ends on time whatever the cache holds.
 */
export type TokenKind = 'ingest' | 'access';

export type Authentication =
  | { outcome: 'authenticated'; tenant: Tenant }
  /**
   * The token is right but the tenant is disabled. Only a caller that presented the right token learns it:
   * the query service says so (403 TENANT_DISABLED), the ingress answers its sender as for a wrong token.
   */
  | { outcome: 'disabled'; tenantId: string }
  | { outcome: 'refused' };

export interface TenantAuthenticator {
  authenticate(tenantId: unknown, token: unknown, kind: TokenKind): Promise<Authentication>;
  /**
   * The tenant read afresh, for a credential beyond the token that its cached copy refused (the ingress's
   * callback signature made with a new signing secret); undefined when it was read less than a second ago,
   * as for a token, or is gone.
   */
  recheck(tenantId: string): Promise<Tenant | undefined>;
}

/** Told of every lookup: answered from the cache (hit) or by a database read, its own or one in flight (miss). */
export type TenantCacheObserver = (result: 'hit' | 'miss') => void;

const MAX_ENTRIES = 10_000;
const RECHECK_AFTER_MS = 1_000;
const REFUSED: Authentication = { outcome: 'refused' };

export function createTenantAuthenticator(
  tenants: Pick<TenantRepository, 'find'>,
  ttlMs: number,
  now = () => Date.now(),
  observe?: TenantCacheObserver,
): TenantAuthenticator {
  const cache = new Map<string, { tenant: Tenant | undefined; expiresAt: number; readAt: number }>();
  // One database lookup per tenant at a time: when an entry expires under load, the requests waiting on
  // it share one query instead of each taking a pool connection (which once exhausted the pool).
  const inFlight = new Map<string, Promise<Tenant | undefined>>();

  async function fetchAndCache(tenantId: string): Promise<Tenant | undefined> {
    try {
      const tenant = await tenants.find(tenantId);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.delete(tenantId);
      cache.set(tenantId, { tenant, expiresAt: now() + ttlMs, readAt: now() });
      return tenant;
    } finally {
      inFlight.delete(tenantId);
    }
  }

  function lookup(tenantId: string): Promise<Tenant | undefined> {
    const hit = cache.get(tenantId);
    if (hit && hit.expiresAt > now()) {
      observe?.('hit');
      return Promise.resolve(hit.tenant);
    }
    observe?.('miss');
    let pending = inFlight.get(tenantId);
    if (!pending) {
      pending = fetchAndCache(tenantId);
      inFlight.set(tenantId, pending);
    }
    return pending;
  }

  /** Read again unless read within the last second; shares a lookup already on its way. */
  function lookupAgain(tenantId: string): Promise<Tenant | undefined> | undefined {
    const hit = cache.get(tenantId);
    if (!hit || hit.readAt > now() - RECHECK_AFTER_MS) return undefined;
    cache.delete(tenantId);
    return lookup(tenantId);
  }

  return {
    async authenticate(tenantId, token, kind) {
      const id = typeof tenantId === 'string' && isTenantId(tenantId) ? tenantId : undefined;
      const presented = typeof token === 'string' ? token : '';
      let tenant = id ? await lookup(id) : undefined;
      let ok = tokenMatchesOneOf(presented, acceptedHashes(tenant, kind, now()));
      const fresh = !ok && id ? lookupAgain(id) : undefined;
      if (fresh) {
        tenant = await fresh;
        ok = tokenMatchesOneOf(presented, acceptedHashes(tenant, kind, now()));
      }
      if (!ok || !tenant) return REFUSED;
      return tenant.status === 'active' ? { outcome: 'authenticated', tenant } : { outcome: 'disabled', tenantId: tenant.tenantId };
    },

    recheck: async (tenantId) => lookupAgain(tenantId),
  };
}

/**
 * The current token's hash and the replaced one's while its grace period lasts: always two slots (empty
 * ones are compared against a dummy), so the work is the same with a rotation going on or not.
 */
function acceptedHashes(tenant: Tenant | undefined, kind: TokenKind, at: number): [Buffer | undefined, Buffer | undefined] {
  if (!tenant) return [undefined, undefined];
  const current = kind === 'ingest' ? tenant.ingestTokenHash : tenant.accessTokenHash;
  const previous = kind === 'ingest' ? tenant.previousIngestToken : tenant.previousAccessToken;
  return [current, previous && previous.validUntil.getTime() > at ? previous.hash : undefined];
}
