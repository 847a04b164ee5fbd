import type { IHeaders } from 'kafkajs';
import type { TopicRecord } from '../../../shared/kafka/read-topic.ts';
import type { OutgoingMessage } from '../republish.ts';

/**
 * A record of the dead-letter topic (TOPIC_DLQ), as services/consumer/dead-letters.ts writes it: the
 * original key, value and headers, plus `error-code`, `error-message`, `error-sqlstate` (a database
 * refusal), `source-topic`, `source-partition` and `source-offset`. The consumer drops any `error-*` or
 * `source-*` header the original had, so every such header is the consumer's, and removing them all
 * gives the original's back.
 */
const DEAD_LETTER_HEADER = /^(error|source)-/i;

/** The header a replayed record carries: `<dlq topic>:<partition>:<offset>` of the dead letter it came from. */
export const REPLAYED_FROM_HEADER = 'replayed-from';

export interface DeadLetterSummary {
  partition: number;
  offset: string;
  /** The dead letter's record timestamp: when the consumer wrote it. */
  deadLetteredAt: string;
  errorCode: string | null;
  errorMessage: string | null;
  errorSqlState?: string;
  sourceTopic: string | null;
  sourcePartition: number | null;
  sourceOffset: string | null;
  /** The original record's key, as text: `{tenantId}:{callId}` for a call record. */
  key: string | null;
}

function header(headers: IHeaders, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? null : first.toString();
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

export function deadLetteredAt(record: TopicRecord): Date {
  return new Date(Number(record.timestamp));
}

export function deadLetterSummary(record: TopicRecord): DeadLetterSummary {
  const sqlState = header(record.headers, 'error-sqlstate');
  const sourcePartition = header(record.headers, 'source-partition');
  return {
    partition: record.partition,
    offset: record.offset,
    deadLetteredAt: deadLetteredAt(record).toISOString(),
    errorCode: header(record.headers, 'error-code'),
    errorMessage: header(record.headers, 'error-message'),
    ...(sqlState !== null ? { errorSqlState: sqlState } : {}),
    sourceTopic: header(record.headers, 'source-topic'),
    sourcePartition: sourcePartition !== null && DECIMAL.test(sourcePartition) ? Number(sourcePartition) : null,
    sourceOffset: header(record.headers, 'source-offset'),
    key: record.key === null ? null : record.key.toString('utf8'),
  };
}

/** The original record again, byte for byte, marked with where it was replayed from (an earlier mark replaced). */
export function replayedMessage(record: TopicRecord, dlqTopic: string): OutgoingMessage {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (!DEAD_LETTER_HEADER.test(name) && name.toLowerCase() !== REPLAYED_FROM_HEADER && value !== undefined) headers[name] = value;
  }
  headers[REPLAYED_FROM_HEADER] = `${dlqTopic}:${record.partition}:${record.offset}`;
  return { key: record.key, value: record.value, headers };
}

/** Oldest dead letter first: by timestamp, then partition and offset. */
export function byDeadLetteredAt(a: TopicRecord, b: TopicRecord): number {
  const time = Number(a.timestamp) - Number(b.timestamp);
  if (time !== 0) return time;
  if (a.partition !== b.partition) return a.partition - b.partition;
  return Number(BigInt(a.offset) - BigInt(b.offset));
}
