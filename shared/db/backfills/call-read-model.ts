import { z } from 'zod';
import { refreshContacts } from '../../calls/contacts.ts';
import type { PoolClient } from '../pool.ts';
import type { Backfill, BackfillCursor } from './backfill.ts';

/**
 * Migration 0007's back-fill: the read-model columns of calls stored before it, computed from their
 * stored sessions and lines the way the lookup used to compute them at every read (and the way the
 * consumer's callReadModel computes them from a callback; a test holds the two to the same answer), then
 * their contacts. One batch of calls in primary-key order per transaction; a call already filled (by
 * this back-fill or by the consumer) is left as it is, so a back-fill cut short simply runs again.
 */
const batchRow = z.object({
  taken: z.number().int().nonnegative(),
  filled: z.number().int().nonnegative(),
  last_tenant_id: z.string().nullable(),
  last_call_id: z.string().nullable(),
  tenant_ids: z.array(z.string()),
  customer_ids: z.array(z.string()),
});

/** customerIdFor (shared/calls/customer-id.ts) in SQL: SHA-256 over tenant, NUL, contact key, as a UUID. */
const CUSTOMER_ID = `case when c.contact_name is not null or c.contact_mobile is not null or c.contact_company_name is not null
         or c.contact_remark is not null or c.contact_variates is not null
       then left(encode(sha256(
              convert_to(c.tenant_id::text, 'UTF8') || '\\x00'::bytea
              || convert_to(coalesce(nullif(c.contact_mobile, ''), nullif(c.customer_number, ''), 'call:' || c.call_id), 'UTF8')
            ), 'hex'), 32)::uuid
     end`;

async function fillBatch(client: PoolClient, after: BackfillCursor, limit: number) {
  const { rows } = await client.query(
    `with batch as (
       select c.tenant_id, c.call_id,
              ${CUSTOMER_ID} as customer_id,
              first_instance.instance_seq is not null as has_instance,
              first_instance.robot_id, first_instance.robot_name, first_instance.robot_def_id,
              first_line.seq is not null as has_dialogue_lines,
              first_line.started_at as first_line_at,
              check_point.match_name as check_point,
              c.has_instance is null as unfilled
       from calls c
       left join lateral (
         select i.instance_seq, i.robot_id, i.robot_name, i.robot_def_id
         from call_instances i where i.tenant_id = c.tenant_id and i.call_id = c.call_id
         order by i.instance_seq limit 1
       ) first_instance on true
       left join lateral (
         select l.seq, l.started_at
         from dialogue_lines l where l.tenant_id = c.tenant_id and l.call_id = c.call_id
         order by l.instance_seq, l.seq limit 1
       ) first_line on true
       left join lateral (
         select l.match_name
         from dialogue_lines l
         where l.tenant_id = c.tenant_id and l.call_id = c.call_id
           and l.instance_seq = (select max(i.instance_seq) from call_instances i where i.tenant_id = c.tenant_id and i.call_id = c.call_id)
           and l.match_name <> '' and l.match_type is not null and l.match_type <> 10
         order by l.seq desc limit 1
       ) check_point on true
       where (c.tenant_id, c.call_id) > ($1::uuid, $2::text)
       order by c.tenant_id, c.call_id
       limit $3
     ),
     filled as (
       update calls c
       set customer_id = b.customer_id, has_instance = b.has_instance, first_robot_id = b.robot_id,
           first_robot_name = b.robot_name, first_robot_def_id = b.robot_def_id,
           has_dialogue_lines = b.has_dialogue_lines, first_line_at = b.first_line_at, check_point = b.check_point
       from batch b
       where c.tenant_id = b.tenant_id and c.call_id = b.call_id and b.unfilled
       returning c.tenant_id, c.customer_id
     ),
     last_taken as (select tenant_id, call_id from batch order by tenant_id desc, call_id desc limit 1)
     select (select count(*) from batch) as taken, (select count(*) from filled) as filled,
            (select tenant_id::text from last_taken) as last_tenant_id, (select call_id from last_taken) as last_call_id,
            array(select tenant_id::text from filled where customer_id is not null) as tenant_ids,
            array(select customer_id::text from filled where customer_id is not null) as customer_ids`,
    [after.tenantId, after.callId, limit],
  );
  return batchRow.parse(rows[0]);
}

export const callReadModelBackfill: Backfill = {
  name: '0007_call_read_model.backfill',
  after: '0007_call_read_model.sql',
  async batch(client, after, limit) {
    const batch = await fillBatch(client, after, limit);
    await refreshContacts(
      client,
      batch.customer_ids.map((customerId, index) => ({ tenantId: batch.tenant_ids[index]!, customerId })),
    );
    const next =
      batch.last_tenant_id !== null && batch.last_call_id !== null ? { tenantId: batch.last_tenant_id, callId: batch.last_call_id } : null;
    return { taken: batch.taken, changed: batch.filled, next };
  },
};
