import { SpanKind, type Context, type Tracer } from '@opentelemetry/api';
import { classifyPostgresFailure, sqlState } from '../../shared/db/errors.ts';
import { inTransaction, type Pool, type PoolClient } from '../../shared/db/pool.ts';
import type { BatchOutcome, DeadLetter, IncomingRecord } from './records.ts';
import { decodeEnvelope } from './steps/decode-envelope.ts';
import { findTimeZone } from './steps/find-time-zone.ts';
import { flattenStep, type CallRows } from './steps/flatten-call.ts';
import { ok, type StepResult } from './steps/step-result.ts';
import { inSpan } from '../../shared/tracing/spans.ts';
import { writeCalls, type WriteResult } from './steps/write-calls.ts';
import type { TimeZoneOf } from './time-zone-cache.ts';

/**
 * One Kafka batch → one Postgres transaction. Each record goes through the steps (decode the envelope,
 * find the tenant's time zone, flatten into rows); a step's dlq answer makes it a dead letter instead of
 * failing the batch. Then the rows of the batch are written together. Whether a failure dead-letters a
 * record or retries the batch is decided here alone, by its class (shared/db/errors.ts): only Postgres
 * refusing the values themselves is permanent. Such a batch is written again one record at a time, each
 * under a savepoint, so the rest of it is still written. Any other error is thrown: the caller retries.
 */
export type { TimeZoneOf } from './time-zone-cache.ts';
export type { BatchOutcome, DeadLetter, IncomingRecord } from './records.ts';

interface PreparedCall {
  record: IncomingRecord;
  rows: CallRows;
  receivedAt: number;
}

/** Where the batch's transactions are traced: each a CLIENT span, child of the batch's span. */
export interface BatchTrace {
  tracer: Tracer;
  parent: Context;
}

async function prepareRecord(timeZoneOf: TimeZoneOf, record: IncomingRecord): Promise<StepResult<Omit<PreparedCall, 'record'>>> {
  const envelope = decodeEnvelope(record.value);
  if (envelope.kind === 'dlq') return envelope;
  const timeZone = await findTimeZone(timeZoneOf, envelope.value);
  if (timeZone.kind === 'dlq') return timeZone;
  const rows = flattenStep(envelope.value, timeZone.value, { partition: record.partition, offset: record.offset });
  if (rows.kind === 'dlq') return rows;
  return ok({ rows: rows.value, receivedAt: Date.parse(envelope.value.receivedAt) });
}

async function prepare(timeZoneOf: TimeZoneOf, records: IncomingRecord[]) {
  const deadLetters: DeadLetter[] = [];
  const calls: PreparedCall[] = [];
  for (const record of records) {
    const prepared = await prepareRecord(timeZoneOf, record);
    if (prepared.kind === 'dlq') deadLetters.push({ record, code: prepared.code, reason: prepared.reason });
    else calls.push({ record, ...prepared.value });
  }
  return { calls, deadLetters };
}

/** The one retry-or-dead-letter decision: only values Postgres can never store make dead letters. */
const refusedValues = (error: unknown) => classifyPostgresFailure(error) === 'data';

function rejectedOrThrow(record: IncomingRecord, error: unknown): DeadLetter {
  if (!refusedValues(error)) throw error;
  const state = sqlState(error);
  return { record, code: 'DATABASE_REJECTED', reason: (error as Error).message, ...(state ? { sqlState: state } : {}) };
}

function addResult(total: WriteResult, result: WriteResult): void {
  total.written += result.written;
  for (const [table, count] of Object.entries(result.rows)) total.rows[table] = (total.rows[table] ?? 0) + count;
}

/** Offset order, one savepoint per record: each is applied as if it had come alone. */
async function writeOneByOne(client: PoolClient, calls: PreparedCall[], deadLetters: DeadLetter[]): Promise<WriteResult> {
  const total: WriteResult = { written: 0, rows: {} };
  for (const { record, rows } of calls) {
    await client.query('savepoint one_message');
    try {
      addResult(total, await writeCalls(client, [rows]));
      await client.query('release savepoint one_message');
    } catch (error) {
      const letter = rejectedOrThrow(record, error);
      await client.query('rollback to savepoint one_message');
      deadLetters.push(letter);
    }
  }
  return total;
}

/** A transaction, as a span when the batch is traced. */
function transaction<T>(db: Pool, trace: BatchTrace | undefined, calls: number, work: (client: PoolClient) => Promise<T>): Promise<T> {
  if (!trace) return inTransaction(db, work);
  const attributes = { 'db.system.name': 'postgresql', 'callstream.calls': calls };
  return inSpan(trace.tracer, 'postgres transaction', { kind: SpanKind.CLIENT, attributes, parent: trace.parent }, () =>
    inTransaction(db, work),
  );
}

export async function processBatch(db: Pool, timeZoneOf: TimeZoneOf, records: IncomingRecord[], trace?: BatchTrace): Promise<BatchOutcome> {
  const { calls, deadLetters } = await prepare(timeZoneOf, records);
  try {
    const result = await transaction(db, trace, calls.length, (client) =>
      writeCalls(
        client,
        calls.map((call) => call.rows),
      ),
    );
    return { ...result, deadLetters, receivedAt: calls.map((call) => call.receivedAt) };
  } catch (error) {
    // Postgres refused some values: find which records, one at a time. Anything else is retried.
    if (!refusedValues(error)) throw error;
  }
  const isolated: DeadLetter[] = [];
  const result = await transaction(db, trace, calls.length, (client) => writeOneByOne(client, calls, isolated));
  const inOffsetOrder = [...deadLetters, ...isolated].sort((a, b) => Number(BigInt(a.record.offset) - BigInt(b.record.offset)));
  const refused = new Set(isolated.map((letter) => letter.record));
  return {
    ...result,
    deadLetters: inOffsetOrder,
    receivedAt: calls.filter((call) => !refused.has(call.record)).map((call) => call.receivedAt),
  };
}
