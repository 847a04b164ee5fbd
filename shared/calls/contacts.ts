import type { PoolClient } from '../db/pool.ts';

/**
 * contacts holds, per tenant and customer id, the least and greatest received_at of the contact's stored
 * calls. Every writer that stores, changes or deletes calls refreshes the contacts those calls had and
 * have, in its own transaction: recomputed from the calls (two probes of calls_by_customer), so the row is
 * the same whatever the order or batching of the writes, and a call that moved to another contact or was
 * erased leaves no trace in the old one.
 *
 * Two writers refreshing the same contact at once would each see only their own calls: each first takes
 * the contact's lock (transaction-scoped, in key order, so two batches cannot deadlock on them), and only
 * then, in a statement of its own and so with a snapshot taken after the other committed, recomputes.
 */
const CONTACT_LOCK_CLASS = 0x636f6e74;

export interface ContactKey {
  tenantId: string;
  customerId: string;
}

async function lockContacts(client: PoolClient, tenantIds: string[], customerIds: string[]): Promise<void> {
  await client.query(
    `select pg_advisory_xact_lock($1, lock_key)
     from (
       select distinct hashtext(tenant_id::text || customer_id::text) as lock_key
       from unnest($2::uuid[], $3::uuid[]) as contact (tenant_id, customer_id)
       order by lock_key
     ) as keys`,
    [CONTACT_LOCK_CLASS, tenantIds, customerIds],
  );
}

/** Rewrites each contact from its stored calls; deletes it when it has none left. */
async function recomputeContacts(client: PoolClient, tenantIds: string[], customerIds: string[]): Promise<void> {
  await client.query(
    `with affected as (
       select distinct tenant_id, customer_id from unnest($1::uuid[], $2::uuid[]) as contact (tenant_id, customer_id)
     ),
     stored as (
       select a.tenant_id, a.customer_id,
              (select min(c.received_at) from calls c where c.tenant_id = a.tenant_id and c.customer_id = a.customer_id) as first_stored_at,
              (select max(c.received_at) from calls c where c.tenant_id = a.tenant_id and c.customer_id = a.customer_id) as last_stored_at
       from affected a
     ),
     gone as (
       delete from contacts t using stored s
       where t.tenant_id = s.tenant_id and t.customer_id = s.customer_id and s.first_stored_at is null
     )
     insert into contacts (tenant_id, customer_id, first_stored_at, last_stored_at)
     select tenant_id, customer_id, first_stored_at, last_stored_at from stored
     where first_stored_at is not null
     order by tenant_id, customer_id
     on conflict (tenant_id, customer_id) do update
       set first_stored_at = excluded.first_stored_at, last_stored_at = excluded.last_stored_at
       where (contacts.first_stored_at, contacts.last_stored_at) is distinct from (excluded.first_stored_at, excluded.last_stored_at)`,
    [tenantIds, customerIds],
  );
}

/** Brings these contacts in line with the calls stored now (the caller's transaction). */
export async function refreshContacts(client: PoolClient, contacts: readonly ContactKey[]): Promise<void> {
  if (contacts.length === 0) return;
  const tenantIds = contacts.map((contact) => contact.tenantId);
  const customerIds = contacts.map((contact) => contact.customerId);
  await lockContacts(client, tenantIds, customerIds);
  await recomputeContacts(client, tenantIds, customerIds);
}
