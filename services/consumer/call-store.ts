import type { PoolClient } from '../../shared/db/pool.ts';
import type { CallRows } from './flatten.ts';

/**
 * Writes flattened calls inside the caller's transaction. Each table gets one statement for the whole
 * batch: rows travel as one JSON array and json_populate_recordset types them by the table's own columns.
 * A call is replaced only by a delivery received at the same time or later, so an older redelivery
 * never overwrites newer data; its child rows are replaced with it.
 */
const CALL_COLUMNS = `tenant_id, call_id, workflow, from_number, to_number, relay_number, call_start_time,
  call_end_time, call_duration, call_record_url, customer_province, customer_city, router_id, router_name,
  transfer_agent_flag, agent_id, agent_name, queue_id, queue_name, robot_names, label_infos,
  intention_label_key, intention_label_name, ad_task_id, ad_task_name, contact_name, contact_mobile,
  contact_company_name, contact_remark, contact_variates, call_result, called_result, agent_call_duration,
  hangup_cause, hangup_by, customer_number, remark, task_contact_batch_name, user_answered_flag,
  user_answered_count, user_answered_effective_count, is_final_call, gender, raw, event_id, received_at,
  source_partition, source_offset`;

const UPDATE_ALL = CALL_COLUMNS.split(',')
  .map((column) => column.trim())
  .filter((column) => column !== 'tenant_id' && column !== 'call_id')
  .map((column) => `${column} = excluded.${column}`)
  .join(',\n    ');

async function upsertCalls(client: PoolClient, calls: Record<string, unknown>[]): Promise<Set<string>> {
  const { rows } = await client.query<{ tenant_id: string; call_id: string }>(
    `insert into calls (${CALL_COLUMNS})
     select ${CALL_COLUMNS} from json_populate_recordset(null::calls, $1::json)
     on conflict (tenant_id, call_id) do update set
       ${UPDATE_ALL}
     where calls.received_at <= excluded.received_at
     returning tenant_id, call_id`,
    [JSON.stringify(calls)],
  );
  return new Set(rows.map((row) => callKey(row.tenant_id, row.call_id)));
}

async function deleteChildren(client: PoolClient, tenantIds: string[], callIds: string[]): Promise<void> {
  // dialogue_lines go with their call_instances (on delete cascade).
  for (const table of ['call_instances', 'call_labels', 'call_variables', 'call_recordings'] as const) {
    await client.query(
      `delete from ${table} where (tenant_id, call_id) in (select * from unnest($1::uuid[], $2::text[]))`,
      [tenantIds, callIds],
    );
  }
}

async function insertRows(client: PoolClient, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(`insert into ${table} select * from json_populate_recordset(null::${table}, $1::json)`, [
    JSON.stringify(rows),
  ]);
}

export function callKey(tenantId: string, callId: string): string {
  return `${tenantId}\u0000${callId}`;
}

export interface WriteResult {
  /** Calls whose rows were written; the others were older than what is stored. */
  written: number;
  rows: Record<string, number>;
}

/** Writes calls that must already be unique by (tenant_id, call_id). */
export async function writeCalls(client: PoolClient, calls: CallRows[]): Promise<WriteResult> {
  if (calls.length === 0) return { written: 0, rows: {} };
  const won = await upsertCalls(client, calls.map((rows) => rows.call));
  const current = calls.filter((rows) => won.has(callKey(String(rows.call.tenant_id), String(rows.call.call_id))));
  if (current.length === 0) return { written: 0, rows: {} };

  await deleteChildren(
    client,
    current.map((rows) => String(rows.call.tenant_id)),
    current.map((rows) => String(rows.call.call_id)),
  );
  const tables = {
    call_instances: current.flatMap((rows) => rows.instances),
    dialogue_lines: current.flatMap((rows) => rows.lines),
    call_labels: current.flatMap((rows) => rows.labels),
    call_variables: current.flatMap((rows) => rows.variables),
    call_recordings: current.flatMap((rows) => rows.recordings),
  };
  const counts: Record<string, number> = { calls: current.length };
  for (const [table, rows] of Object.entries(tables)) {
    await insertRows(client, table, rows);
    counts[table] = rows.length;
  }
  return { written: current.length, rows: counts };
}
