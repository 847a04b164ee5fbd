import { z } from 'zod';
import type { Pool, PoolClient } from '../db/pool.ts';
import type { ContactKey } from './contacts.ts';

/**
 * The statements of an erasure (shared/calls/erase.ts runs them). A call's rows are its calls row and
 * every row of the child tables that carries its (tenant_id, call_id).
 */
type Queryable = Pool | PoolClient;

export const ERASURE_SELECTOR_KINDS = ['call-id', 'phone-number'] as const;
export type ErasureSelectorKind = (typeof ERASURE_SELECTOR_KINDS)[number];

/** Rows per table, by table name, parent first. */
export interface CallRowCounts {
  calls: number;
  call_instances: number;
  dialogue_lines: number;
  call_labels: number;
  call_variables: number;
  call_recordings: number;
}

const count = z.number().int().nonnegative();
const countsRow = z.object({
  calls: count,
  call_instances: count,
  dialogue_lines: count,
  call_labels: count,
  call_variables: count,
  call_recordings: count,
});

/**
 * The tenant's calls that have this number as fromNumber, toNumber, customerNumber or the contact's
 * mobile, as stored (exactly, as the callback wrote it), by call id; with `among`, only those of these
 * calls. The generated phone_number is one of the four, so it needs no test of its own. Only
 * phone_number is indexed: this reads every call of the tenant.
 */
export async function callIdsWithPhoneNumber(
  db: Queryable,
  tenantId: string,
  phoneNumber: string,
  among: readonly string[] | null = null,
): Promise<string[]> {
  const { rows } = await db.query(
    `select call_id from calls
     where tenant_id = $1::uuid
       and (from_number = $2 or to_number = $2 or customer_number = $2 or contact_mobile = $2)
       and ($3::text[] is null or call_id = any($3::text[]))
     order by call_id`,
    [tenantId, phoneNumber, among === null ? null : [...among]],
  );
  return rows.map((row) => z.object({ call_id: z.string() }).parse(row).call_id);
}

/** The contacts of these calls, which an erasure of them must redo. */
export async function contactsOfCalls(db: Queryable, tenantId: string, callIds: readonly string[]): Promise<ContactKey[]> {
  const { rows } = await db.query(
    `select distinct customer_id::text as customer_id from calls
     where tenant_id = $1::uuid and call_id = any($2::text[]) and customer_id is not null`,
    [tenantId, [...callIds]],
  );
  return rows.map((row) => ({ tenantId, customerId: z.object({ customer_id: z.string() }).parse(row).customer_id }));
}

/** What erasing these calls would delete (a dry run): nothing is changed. */
export async function countCallRows(db: Queryable, tenantId: string, callIds: readonly string[]): Promise<CallRowCounts> {
  const { rows } = await db.query(
    `with doomed as (
       select tenant_id, call_id from calls where tenant_id = $1::uuid and call_id = any($2::text[])
     )
     select
       (select count(*) from doomed) as calls,
       (select count(*) from call_instances join doomed using (tenant_id, call_id)) as call_instances,
       (select count(*) from dialogue_lines join doomed using (tenant_id, call_id)) as dialogue_lines,
       (select count(*) from call_labels join doomed using (tenant_id, call_id)) as call_labels,
       (select count(*) from call_variables join doomed using (tenant_id, call_id)) as call_variables,
       (select count(*) from call_recordings join doomed using (tenant_id, call_id)) as call_recordings`,
    [tenantId, [...callIds]],
  );
  return countsRow.parse(rows[0]);
}

export interface ErasureRecord extends CallRowCounts {
  erasureId: string;
  erasedAt: Date;
}

const erasureRow = countsRow.extend({ erasure_id: z.uuid(), erased_at: z.date() });

/**
 * Deletes the calls with every row of theirs, writes a tombstone for each call id (also one not stored:
 * its deliveries may still be on their way) and the audit row, in one statement: the counts are the rows
 * this statement deleted. Every row carries the statement's start time, which the caller takes after the
 * tenant's erasure lock (lockTenantForErasure), so that the erasure is later than every delivery written
 * before it. The child tables are deleted explicitly to count them; the cascades then find nothing.
 */
export async function eraseCalls(
  client: PoolClient,
  tenantId: string,
  callIds: readonly string[],
  selectorKind: ErasureSelectorKind,
  selectorHash: Buffer,
): Promise<ErasureRecord> {
  const { rows } = await client.query(
    `with doomed as (
       select tenant_id, call_id from calls where tenant_id = $1::uuid and call_id = any($2::text[])
     ),
     lines as (
       delete from dialogue_lines x using doomed d where x.tenant_id = d.tenant_id and x.call_id = d.call_id returning 1
     ),
     instances as (
       delete from call_instances x using doomed d where x.tenant_id = d.tenant_id and x.call_id = d.call_id returning 1
     ),
     labels as (
       delete from call_labels x using doomed d where x.tenant_id = d.tenant_id and x.call_id = d.call_id returning 1
     ),
     variables as (
       delete from call_variables x using doomed d where x.tenant_id = d.tenant_id and x.call_id = d.call_id returning 1
     ),
     recordings as (
       delete from call_recordings x using doomed d where x.tenant_id = d.tenant_id and x.call_id = d.call_id returning 1
     ),
     erased as (
       delete from calls x using doomed d where x.tenant_id = d.tenant_id and x.call_id = d.call_id returning 1
     ),
     tombstones as (
       insert into call_tombstones (tenant_id, call_id, erased_at)
       select distinct $1::uuid, call_id, statement_timestamp() from unnest($2::text[]) as ids (call_id)
       on conflict (tenant_id, call_id) do update set erased_at = excluded.erased_at
     )
     insert into erasures (tenant_id, erased_at, selector_kind, selector_hash,
                           calls, call_instances, dialogue_lines, call_labels, call_variables, call_recordings)
     select $1::uuid, statement_timestamp(), $3, $4,
            (select count(*) from erased), (select count(*) from instances), (select count(*) from lines),
            (select count(*) from labels), (select count(*) from variables), (select count(*) from recordings)
     returning erasure_id, erased_at, calls, call_instances, dialogue_lines, call_labels, call_variables, call_recordings`,
    [tenantId, [...callIds], selectorKind, selectorHash],
  );
  const { erasure_id, erased_at, ...counts } = erasureRow.parse(rows[0]);
  return { erasureId: erasure_id, erasedAt: erased_at, ...counts };
}
