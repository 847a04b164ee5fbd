import { z } from 'zod';
import { refreshContacts, type ContactKey } from '../../../shared/calls/contacts.ts';
import { lockTenantsForWriting } from '../../../shared/calls/tenant-write-lock.ts';
import type { PoolClient } from '../../../shared/db/pool.ts';
import type { CallRows } from './flatten-call.ts';

/**
 * Writes flattened calls inside the caller's transaction, with one statement per table for the whole
 * batch: rows travel as one JSON array and json_populate_recordset types them by the table's own columns.
 *
 * Which delivery of a call wins is decided in SQL, by one total order used twice: the latest receivedAt,
 * then the later Kafka offset (every delivery of a call lands in one partition, in order). Within the
 * batch `distinct on` keeps the newest; against the stored row the upsert's `where` does. So an older
 * redelivery never overwrites newer data, and replaying the topic in any batching ends in the same rows.
 * The child rows of every call that won are replaced with it (a call stored for the first time has none).
 * The call's read model (migration 0007) travels in its row, so it obeys the same order; the contacts the
 * winners had and have are recomputed last (shared/calls/contacts.ts).
 *
 * An erasure (npm run cli -- erase) is the newest of all for the deliveries received before it: its
 * tombstone skips a delivery whose receivedAt is not after the erasure's time, so no redelivery or replay
 * brings an erased call back, and a callback received later is stored as usual. The tenants' write locks
 * (shared/calls/tenant-write-lock.ts), taken first, keep an erasure from passing a batch in flight.
 */
const CALL_COLUMNS = `tenant_id, call_id, workflow, from_number, to_number, relay_number, call_start_time,
  call_end_time, call_duration, call_record_url, customer_province, customer_city, router_id, router_name,
  transfer_agent_flag, agent_id, agent_name, queue_id, queue_name, robot_names, label_infos,
  intention_label_key, intention_label_name, ad_task_id, ad_task_name, contact_name, contact_mobile,
  contact_company_name, contact_remark, contact_variates, call_result, called_result, agent_call_duration,
  hangup_cause, hangup_by, customer_number, remark, task_contact_batch_name, user_answered_flag,
  user_answered_count, user_answered_effective_count, is_final_call, gender, raw, event_id, received_at,
  source_partition, source_offset, customer_id, has_instance, first_robot_id, first_robot_name, first_robot_def_id,
  has_dialogue_lines, first_line_at, check_point`;

const UPDATE_ALL = CALL_COLUMNS.split(',')
  .map((column) => column.trim())
  .filter((column) => column !== 'tenant_id' && column !== 'call_id')
  .map((column) => `${column} = excluded.${column}`)
  .join(',\n    ');

const writtenCall = z.object({
  tenant_id: z.string(),
  call_id: z.string(),
  source_partition: z.number().int(),
  source_offset: z.number().int(),
  inserted: z.boolean(),
  customer_id: z.string().nullable(),
  previous_customer_id: z.string().nullable(),
});

interface WonDeliveries {
  /** Delivery key of each delivery that won → whether its call was new (inserted) rather than updated. */
  inserted: Map<string, boolean>;
  /** The contacts these calls had before and have now: each needs its first and last stored times redone. */
  contacts: ContactKey[];
}

/**
 * Rows in key order also take their row locks in key order, so two writers cannot deadlock on calls.
 * `xmax = 0` holds for a row this statement inserted, not for one it updated (the update leaves the row
 * lock it took in xmax, also for a row inserted earlier in the same transaction): a new call has no child
 * rows to replace. `previous` reads the rows as they were before this statement (every part of a
 * statement sees the same snapshot): the contact a call leaves must be redone as well as the one it joins.
 */
async function upsertNewestCalls(client: PoolClient, calls: Record<string, unknown>[]): Promise<WonDeliveries> {
  const { rows } = await client.query(
    `with incoming as (
       select distinct on (tenant_id, call_id) ${CALL_COLUMNS}
       from json_populate_recordset(null::calls, $1::json) as delivery
       where not exists (
         select 1 from call_tombstones tombstone
         where tombstone.tenant_id = delivery.tenant_id and tombstone.call_id = delivery.call_id
           and delivery.received_at <= tombstone.erased_at
       )
       order by tenant_id, call_id, received_at desc, source_offset desc, source_partition desc
     ),
     previous as (
       select c.tenant_id, c.call_id, c.customer_id from calls c join incoming i using (tenant_id, call_id)
     ),
     written as (
       insert into calls (${CALL_COLUMNS})
       select ${CALL_COLUMNS} from incoming order by tenant_id, call_id
       on conflict (tenant_id, call_id) do update set
         ${UPDATE_ALL}
       where (calls.received_at, calls.source_offset, calls.source_partition)
          <= (excluded.received_at, excluded.source_offset, excluded.source_partition)
       returning tenant_id, call_id, source_partition, source_offset, (xmax = 0) as inserted, customer_id
     )
     select written.*, previous.customer_id as previous_customer_id
     from written left join previous using (tenant_id, call_id)`,
    [JSON.stringify(calls)],
  );
  const inserted = new Map<string, boolean>();
  const contacts: ContactKey[] = [];
  for (const row of rows) {
    const written = writtenCall.parse(row);
    inserted.set(deliveryKey(written.tenant_id, written.call_id, written.source_partition, written.source_offset), written.inserted);
    for (const customerId of new Set([written.customer_id, written.previous_customer_id])) {
      if (customerId !== null) contacts.push({ tenantId: written.tenant_id, customerId });
    }
  }
  return { inserted, contacts };
}

function deliveryKey(tenantId: unknown, callId: unknown, partition: unknown, offset: unknown): string {
  return [tenantId, callId, partition, offset].map(String).join('\u0000');
}

/** Child tables in write order; dialogue_lines go with their call_instances (on delete cascade). */
const CHILD_TABLES = [
  { table: 'call_instances', rowsOf: (call: CallRows) => call.instances, replaces: true },
  { table: 'dialogue_lines', rowsOf: (call: CallRows) => call.lines, replaces: false },
  { table: 'call_labels', rowsOf: (call: CallRows) => call.labels, replaces: true },
  { table: 'call_variables', rowsOf: (call: CallRows) => call.variables, replaces: true },
  { table: 'call_recordings', rowsOf: (call: CallRows) => call.recordings, replaces: true },
] as const;

type ChildTable = (typeof CHILD_TABLES)[number]['table'];

async function deleteChildren(client: PoolClient, table: ChildTable, tenantIds: string[], callIds: string[]): Promise<void> {
  await client.query(`delete from ${table} where (tenant_id, call_id) in (select * from unnest($1::uuid[], $2::text[]))`, [
    tenantIds,
    callIds,
  ]);
}

async function insertChildren(client: PoolClient, table: ChildTable, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(`insert into ${table} select * from json_populate_recordset(null::${table}, $1::json)`, [JSON.stringify(rows)]);
}

export interface WriteResult {
  /** Calls whose rows were written; the others were not newer than what is stored, or were erased since. */
  written: number;
  /** Rows written per table. */
  rows: Record<string, number>;
}

export async function writeCalls(client: PoolClient, calls: CallRows[]): Promise<WriteResult> {
  if (calls.length === 0) return { written: 0, rows: {} };
  await lockTenantsForWriting(client, [...new Set(calls.map(({ call }) => String(call.tenant_id)))]);
  const won = await upsertNewestCalls(
    client,
    calls.map((rows) => rows.call),
  );
  const insertedOf = ({ call }: CallRows) =>
    won.inserted.get(deliveryKey(call.tenant_id, call.call_id, call.source_partition, call.source_offset));
  const current = calls.filter((rows) => insertedOf(rows) !== undefined);
  if (current.length === 0) return { written: 0, rows: {} };

  const updated = current.filter((rows) => insertedOf(rows) === false);
  const tenantIds = updated.map(({ call }) => String(call.tenant_id));
  const callIds = updated.map(({ call }) => String(call.call_id));
  const counts: Record<string, number> = { calls: current.length };
  for (const { table, rowsOf, replaces } of CHILD_TABLES) {
    if (replaces && updated.length > 0) await deleteChildren(client, table, tenantIds, callIds);
    const rows = current.flatMap(rowsOf);
    await insertChildren(client, table, rows);
    counts[table] = rows.length;
  }
  await refreshContacts(client, won.contacts);
  return { written: current.length, rows: counts };
}
