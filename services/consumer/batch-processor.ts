import type { IHeaders } from 'kafkajs';
import { inTransaction, type Pool, type PoolClient } from '../../shared/db/pool.ts';
import { writeCalls, type WriteResult } from './call-store.ts';
import { decodeEnvelope } from './decode.ts';
import { classifyFailure, sqlState } from './failure.ts';
import { flattenCall, type CallRows } from './flatten.ts';
import type { TimeZoneOf } from './time-zone-cache.ts';

/**
 * One Kafka batch → one Postgres transaction. Messages that can never succeed come back as dead letters
 * instead of failing the batch: the undecodable ones before the write, and the ones Postgres rejects with
 * a permanent error (a bad value, a constraint) by writing the batch again one message at a time, each
 * under a savepoint, so the rest of the batch is still written. Any other error is thrown: the caller
 * retries the whole batch.
 */
export type { TimeZoneOf } from './time-zone-cache.ts';

export interface IncomingRecord {
  partition: number;
  offset: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: IHeaders;
}

export interface DeadLetter {
  record: IncomingRecord;
  code: string;
  reason: string;
  /** The SQLSTATE when Postgres rejected the message. */
  sqlState?: string;
}

export interface BatchOutcome extends WriteResult {
  deadLetters: DeadLetter[];
}

interface PreparedCall {
  record: IncomingRecord;
  rows: CallRows;
}

async function prepare(timeZoneOf: TimeZoneOf, records: IncomingRecord[]) {
  const deadLetters: DeadLetter[] = [];
  const calls: PreparedCall[] = [];
  for (const record of records) {
    const decoded = decodeEnvelope(record.value);
    if (decoded.kind === 'dlq') {
      deadLetters.push({ record, code: decoded.code, reason: decoded.reason });
      continue;
    }
    // A failing lookup (Postgres unreachable) is thrown: transient, the batch is retried.
    const timeZone = await timeZoneOf(decoded.value.tenantId);
    if (!timeZone) {
      deadLetters.push({ record, code: 'UNKNOWN_TENANT', reason: `tenant ${decoded.value.tenantId} does not exist` });
      continue;
    }
    try {
      calls.push({ record, rows: flattenCall(decoded.value, timeZone, { partition: record.partition, offset: record.offset }) });
    } catch (error) {
      deadLetters.push({ record, code: 'FLATTEN_FAILED', reason: (error as Error).message });
    }
  }
  return { calls, deadLetters };
}

function rejected(record: IncomingRecord, error: unknown): DeadLetter {
  const state = sqlState(error);
  return {
    record,
    code: 'DATABASE_REJECTED',
    reason: (error as Error).message,
    ...(state ? { sqlState: state } : {}),
  };
}

function addResult(total: WriteResult, result: WriteResult): void {
  total.written += result.written;
  for (const [table, count] of Object.entries(result.rows)) total.rows[table] = (total.rows[table] ?? 0) + count;
}

/** Offset order, one savepoint per message: each is applied as if it had come alone. */
async function writeOneByOne(client: PoolClient, calls: PreparedCall[], deadLetters: DeadLetter[]): Promise<WriteResult> {
  const total: WriteResult = { written: 0, rows: {} };
  for (const { record, rows } of calls) {
    await client.query('savepoint one_message');
    try {
      addResult(total, await writeCalls(client, [rows]));
      await client.query('release savepoint one_message');
    } catch (error) {
      if (classifyFailure(error) !== 'permanent') throw error;
      await client.query('rollback to savepoint one_message');
      deadLetters.push(rejected(record, error));
    }
  }
  return total;
}

export async function processBatch(db: Pool, timeZoneOf: TimeZoneOf, records: IncomingRecord[]): Promise<BatchOutcome> {
  const { calls, deadLetters } = await prepare(timeZoneOf, records);
  try {
    const result = await inTransaction(db, (client) => writeCalls(client, calls.map((call) => call.rows)));
    return { ...result, deadLetters };
  } catch (error) {
    if (classifyFailure(error) !== 'permanent') throw error;
  }
  const isolated: DeadLetter[] = [];
  const result = await inTransaction(db, (client) => writeOneByOne(client, calls, isolated));
  const inOffsetOrder = [...deadLetters, ...isolated].sort((a, b) => Number(BigInt(a.record.offset) - BigInt(b.record.offset)));
  return { ...result, deadLetters: inOffsetOrder };
}
