import { inTransaction, type Pool } from '../../shared/db/pool.ts';
import { callKey, writeCalls, type WriteResult } from './call-store.ts';
import { decodeEnvelope } from './decode.ts';
import { flattenCall, type CallRows } from './flatten.ts';

/**
 * One Kafka batch → one Postgres transaction. Messages are decoded and flattened as small steps; the
 * ones that can never succeed come back as dead letters instead of failing the batch.
 */
export interface IncomingRecord {
  partition: number;
  offset: string;
  value: Buffer | null;
}

export interface DeadLetter {
  record: IncomingRecord;
  code: string;
  reason: string;
}

export interface BatchOutcome extends WriteResult {
  deadLetters: DeadLetter[];
}

export type TimeZoneOf = (tenantId: string) => Promise<string | undefined>;

/** Keeps, per call, the delivery received last (the later offset breaks a tie). */
function newestPerCall(calls: CallRows[]): CallRows[] {
  const newest = new Map<string, CallRows>();
  for (const rows of calls) {
    const key = callKey(String(rows.call.tenant_id), String(rows.call.call_id));
    const seen = newest.get(key);
    if (!seen || String(seen.call.received_at) <= String(rows.call.received_at)) newest.set(key, rows);
  }
  return [...newest.values()];
}

export async function processBatch(db: Pool, timeZoneOf: TimeZoneOf, records: IncomingRecord[]): Promise<BatchOutcome> {
  const deadLetters: DeadLetter[] = [];
  const calls: CallRows[] = [];
  for (const record of records) {
    const decoded = decodeEnvelope(record.value);
    if (decoded.kind === 'dlq') {
      deadLetters.push({ record, code: decoded.code, reason: decoded.reason });
      continue;
    }
    const timeZone = await timeZoneOf(decoded.value.tenantId);
    if (!timeZone) {
      deadLetters.push({ record, code: 'UNKNOWN_TENANT', reason: `tenant ${decoded.value.tenantId} does not exist` });
      continue;
    }
    calls.push(flattenCall(decoded.value, timeZone, { partition: record.partition, offset: record.offset }));
  }
  const result = await inTransaction(db, (client) => writeCalls(client, newestPerCall(calls)));
  return { ...result, deadLetters };
}
