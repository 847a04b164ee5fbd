import { z } from 'zod';
import type { Pool } from '../../shared/db/pool.ts';
import { callSummaryRow, callSummarySelect, type CallSummaryRow } from './call-summary-sql.ts';
import { columnCheck } from './row-columns.ts';
import { cursorRows } from './cursor-rows.ts';

/**
 * The query service's reads, each one statement (one round trip). The call rows (the hot path) are not
 * parsed value by value (6% of the service's CPU): a lookup's columns are checked by name and type
 * (row-columns.ts), a list parses its first row; the rarer reads still parse theirs. Either way a column
 * that drifted from what the mapper expects fails loudly instead of answering wrong.
 */
export type { CallSummaryRow } from './call-summary-sql.ts';

export interface CallListFilter {
  tenantId: string;
  /** callDateTime in [from, to). */
  from: Date;
  to: Date;
  phoneNumber?: string;
  campaignId?: number;
  /** Keyset position: only calls ordered after this (call_start_time, call_id). */
  after?: { time: string; callId: string };
  withContactDates: boolean;
}

export const dialogueLineRow = z.object({
  robot_id: z.number().nullable(),
  dialogue_role: z.number().nullable(),
  started_at: z.date().nullable(),
  content: z.string().nullable(),
  match_name: z.string().nullable(),
});
export type DialogueLineRow = z.output<typeof dialogueLineRow>;

const conversationRow = dialogueLineRow.extend({ seq: z.number().nullable() });
const rawRow = z.object({ raw: z.string() });

export interface CallsRepository {
  findCall(tenantId: string, callId: string): Promise<CallSummaryRow | undefined>;
  /** Calls in keyset order (call_start_time, call_id), streamed from a cursor. */
  streamCalls(filter: CallListFilter): AsyncGenerator<CallSummaryRow>;
  /** The call's dialogue lines in order, or undefined when the call does not exist. */
  findConversation(tenantId: string, callId: string): Promise<DialogueLineRow[] | undefined>;
  /** The stored callback as JSON text, exactly as stored. */
  findRawCallback(tenantId: string, callId: string): Promise<string | undefined>;
}

const STREAM_BATCH_SIZE = 500;
const checkSummaryColumns = columnCheck(callSummaryRow);

/**
 * The lookup behind GET /v1/calls/{callId}, as a named statement: each connection parses and plans it once
 * and then only executes it (planning cost more than running it when it had four lateral joins).
 * Exported so that the benchmark's pgbench baseline runs this very text.
 */
export const findCallStatement = {
  name: 'find-call',
  text: `${callSummarySelect({ withContactDates: true })}
  where c.tenant_id = $1::uuid and c.call_id = $2`,
} as const;

export function createCallsRepository(db: Pool): CallsRepository {
  return {
    async findCall(tenantId, callId) {
      const result = await db.query({ ...findCallStatement, values: [tenantId, callId] });
      checkSummaryColumns(result.fields);
      return result.rows[0] as CallSummaryRow | undefined;
    },

    async *streamCalls(filter) {
      const rows = cursorRows(
        db,
        `${callSummarySelect({ withContactDates: filter.withContactDates })}
         where c.tenant_id = $1::uuid
           and c.call_start_time >= $2::timestamptz and c.call_start_time < $3::timestamptz
           and ($4::text is null or c.phone_number = $4::text)
           and ($5::bigint is null or c.ad_task_id = $5::bigint)
           and ($6::timestamptz is null or (c.call_start_time, c.call_id) > ($6::timestamptz, $7::text))
         order by c.call_start_time, c.call_id`,
        [
          filter.tenantId,
          filter.from,
          filter.to,
          filter.phoneNumber ?? null,
          filter.campaignId ?? null,
          filter.after?.time ?? null,
          filter.after?.callId ?? null,
        ],
        STREAM_BATCH_SIZE,
      );
      // The first row is parsed (a drifted column fails the request before anything is sent); the rest follow it.
      let first = true;
      for await (const row of rows) {
        yield first ? callSummaryRow.parse(row) : (row as CallSummaryRow);
        first = false;
      }
    },

    async findConversation(tenantId, callId) {
      // The left join keeps one all-null row for a call without dialogue: 200 [] rather than 404.
      const { rows } = await db.query(
        `select l.seq, l.robot_id, l.dialogue_role, l.started_at, l.content, l.match_name
         from calls c
         left join dialogue_lines l on l.tenant_id = c.tenant_id and l.call_id = c.call_id
         where c.tenant_id = $1::uuid and c.call_id = $2
         order by l.instance_seq, l.seq`,
        [tenantId, callId],
      );
      if (rows.length === 0) return undefined;
      return rows
        .map((row) => conversationRow.parse(row))
        .filter((row) => row.seq !== null)
        .map(({ seq: _seq, ...line }) => line);
    },

    async findRawCallback(tenantId, callId) {
      const { rows } = await db.query(`select raw::text as raw from calls where tenant_id = $1::uuid and call_id = $2`, [tenantId, callId]);
      return rows.length === 0 ? undefined : rawRow.parse(rows[0]).raw;
    },
  };
}
