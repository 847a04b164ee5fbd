import type { PoolClient } from '../db/pool.ts';

/**
 * An erasure and the consumer's writes of the same tenant never overlap. Each consumer transaction takes a
 * shared lock per tenant it writes, in a statement of its own before the one that reads the tombstones;
 * an erasure takes the tenant's exclusive lock before it deletes. So a batch already writing when the
 * erasure begins commits first (and what it wrote is erased), and a batch that starts later reads the
 * erasure's tombstones: no delivery in flight can bring an erased call back.
 *
 * Transaction-scoped advisory locks, keyed (class, hashtext(tenant id)): two-key advisory locks never meet
 * the one-key lock of the migrations. Two tenants whose ids hash alike only share a lock.
 */
const TENANT_CALLS_LOCK_CLASS = 0x63616c6c;

/**
 * In key order, so that two transactions that each wait for an erasure of another tenant cannot each
 * hold what the other waits for. A tenant id that is not a UUID fails the cast (22P02), as the write
 * itself would.
 */
export async function lockTenantsForWriting(client: PoolClient, tenantIds: readonly string[]): Promise<void> {
  await client.query(
    `select pg_advisory_xact_lock_shared($1, lock_key)
     from (select distinct hashtext(tenant_id::uuid::text) as lock_key from unnest($2::text[]) as ids (tenant_id) order by lock_key) as keys`,
    [TENANT_CALLS_LOCK_CLASS, [...tenantIds]],
  );
}

/** Waits for the tenant's writing transactions to end, and keeps new ones waiting until this one ends. */
export async function lockTenantForErasure(client: PoolClient, tenantId: string): Promise<void> {
  await client.query('select pg_advisory_xact_lock($1, hashtext($2::uuid::text))', [TENANT_CALLS_LOCK_CLASS, tenantId]);
}
