import { z } from 'zod';
import type { Pool, PoolClient } from '../db/pool.ts';
import type { ContactKey } from './contacts.ts';

/**
 * The statements of a retention run (shared/calls/retention-run.ts runs them): which tenants keep their
 * calls for how long, and one bounded batch of a tenant's expired calls deleted.
 */
export interface TenantRetention {
  tenantId: string;
  /** null: the tenant keeps its calls for ever (only listed when asked for by id). */
  retentionDays: number | null;
  /** Calls that started before this are expired: now() less retentionDays, by the database's clock. */
  cutoff: Date | null;
}

const retentionRow = z.object({
  tenant_id: z.string(),
  retention_days: z.number().int().positive().nullable(),
  cutoff: z.date().nullable(),
});

/**
 * Every tenant with a retention, by id; with a tenant id, that tenant alone (whatever its retention), or
 * nobody when it does not exist. The cutoff is taken once here, so that a run has an end however fast
 * calls arrive.
 */
export async function tenantRetentions(db: Pool, tenantId: string | null = null): Promise<TenantRetention[]> {
  const { rows } = await db.query(
    `select tenant_id, retention_days, now() - retention_days * interval '1 day' as cutoff
     from tenants
     where case when $1::uuid is null then retention_days is not null else tenant_id = $1::uuid end
     order by tenant_id`,
    [tenantId],
  );
  return rows.map((row) => {
    const parsed = retentionRow.parse(row);
    return { tenantId: parsed.tenant_id, retentionDays: parsed.retention_days, cutoff: parsed.cutoff };
  });
}

/** Where a run goes on from: the last call a batch took, in (call_start_time, call_id) order. */
export interface RetentionCursor {
  /** The database's own text of the timestamptz, so that no precision is lost on the way back. */
  callStartTime: string;
  callId: string;
}

/** Before every call: no call starts before the year 1 (shared/callback/limits.ts), and '' is the least text. */
export const RETENTION_START: RetentionCursor = { callStartTime: '-infinity', callId: '' };

export interface RetentionBatch {
  /** Calls the batch took (locked); fewer than the limit: no more to take in this run. */
  taken: number;
  /** Calls it deleted, their rows with them (on delete cascade). */
  deleted: number;
  /** Where the next batch begins; null when the batch took none. */
  next: RetentionCursor | null;
  /** The contacts of the deleted calls, whose first and last stored times must be redone. */
  contacts: ContactKey[];
}

const batchRow = z.object({
  taken: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  next_start_time: z.string().nullable(),
  next_call_id: z.string().nullable(),
  customer_ids: z.array(z.string()),
});

/**
 * In the caller's transaction (which then refreshes the contacts), deletes up to `limit` of the tenant's calls that started before the cutoff, after the cursor, oldest
 * first, in one statement (its own transaction), along the (tenant_id, call_start_time, call_id) index.
 * A call another transaction holds (a consumer batch rewriting it) is skipped rather than waited for, so
 * the batch never queues behind a writer, nor a writer for long behind it; the next run takes it.
 */
export async function deleteExpiredCalls(
  db: PoolClient,
  tenantId: string,
  cutoff: Date,
  after: RetentionCursor,
  limit: number,
): Promise<RetentionBatch> {
  const { rows } = await db.query(
    `with doomed as (
       select tenant_id, call_id, call_start_time from calls
       where tenant_id = $1::uuid and call_start_time < $2
         and (call_start_time, call_id) > ($3::timestamptz, $4::text)
       order by call_start_time, call_id
       limit $5
       for update skip locked
     ),
     deleted as (
       delete from calls c using doomed d where c.tenant_id = d.tenant_id and c.call_id = d.call_id returning c.customer_id
     ),
     last_taken as (
       select call_start_time::text as start_time, call_id from doomed order by call_start_time desc, call_id desc limit 1
     )
     select (select count(*) from doomed) as taken, (select count(*) from deleted) as deleted,
            (select start_time from last_taken) as next_start_time, (select call_id from last_taken) as next_call_id,
            array(select distinct customer_id::text from deleted where customer_id is not null) as customer_ids`,
    [tenantId, cutoff, after.callStartTime, after.callId, limit],
  );
  const row = batchRow.parse(rows[0]);
  const next =
    row.next_start_time !== null && row.next_call_id !== null ? { callStartTime: row.next_start_time, callId: row.next_call_id } : null;
  return { taken: row.taken, deleted: row.deleted, next, contacts: row.customer_ids.map((customerId) => ({ tenantId, customerId })) };
}
