/**
 * A tenant's timezone, remembered for ttlMs so that a batch does not query Postgres per message.
 * Only known tenants are remembered: "unknown tenant" sends a message to the dead-letter topic for good,
 * so that answer is always fresh from the database (and rare: the ingress only accepts known tenants).
 * Concurrent lookups of one tenant share one query.
 */
export type TimeZoneOf = (tenantId: string) => Promise<string | undefined>;

export function createTimeZoneCache(lookup: TimeZoneOf, ttlMs: number, now: () => number = Date.now): TimeZoneOf {
  const known = new Map<string, { timeZone: string; expiresAt: number }>();
  const pending = new Map<string, Promise<string | undefined>>();

  return async (tenantId) => {
    // Tenant ids are UUIDs; one tenant written in two letter cases is still one tenant.
    const key = tenantId.toLowerCase();
    const cached = known.get(key);
    if (cached && cached.expiresAt > now()) return cached.timeZone;
    let lookingUp = pending.get(key);
    if (!lookingUp) {
      lookingUp = lookup(tenantId).finally(() => pending.delete(key));
      pending.set(key, lookingUp);
    }
    const timeZone = await lookingUp;
    if (timeZone === undefined) known.delete(key);
    else known.set(key, { timeZone, expiresAt: now() + ttlMs });
    return timeZone;
  };
}
