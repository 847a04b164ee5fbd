import type { IHeaders, Message } from 'kafkajs';
import type { DeadLetter } from './records.ts';
import { spanContextFromHeaders } from '../../shared/tracing/propagation.ts';

/**
 * The dead-letter record for a message that can never be stored: the original key, value and headers,
 * so it can be replayed once the cause is fixed, plus why it failed and where it came from.
 */
export const MAX_ERROR_MESSAGE_LENGTH = 4_000;

/** Headers only the consumer writes: a producer's own `error-*` or `source-*` header must not pose as ours. */
const DEAD_LETTER_HEADER = /^(error|source)-/i;

export function deadLetterMessage(letter: DeadLetter, sourceTopic: string): Message {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(letter.record.headers ?? {})) {
    if (!DEAD_LETTER_HEADER.test(name)) headers[name] = value;
  }
  headers['error-code'] = letter.code;
  headers['error-message'] = letter.reason.slice(0, MAX_ERROR_MESSAGE_LENGTH);
  headers['source-topic'] = sourceTopic;
  headers['source-partition'] = String(letter.record.partition);
  headers['source-offset'] = letter.record.offset;
  if (letter.sqlState) headers['error-sqlstate'] = letter.sqlState;
  return { key: letter.record.key ?? null, value: letter.record.value, headers };
}

/**
 * Whose call a dead letter was, from its key `{tenantId}:{callId}` (a tenant id holds no colon); a key
 * of another shape is shown as it is, bounded.
 */
export function deadLetterCall(letter: DeadLetter): { tenantId?: string; callId?: string; key?: string } {
  const key = letter.record.key?.toString('utf8');
  if (!key) return {};
  const colon = key.indexOf(':');
  return colon < 0 ? { key: key.slice(0, 200) } : { tenantId: key.slice(0, colon), callId: key.slice(colon + 1) };
}

/** What the log line of a dead letter says: enough to find the call and the cause, bounded in size. */
export function deadLetterLogFields(letter: DeadLetter, dlqTopic: string) {
  const traceId = spanContextFromHeaders(letter.record.headers)?.traceId;
  return {
    ...deadLetterCall(letter),
    code: letter.code,
    ...(letter.sqlState ? { sqlState: letter.sqlState } : {}),
    reason: letter.reason.slice(0, 500),
    partition: letter.record.partition,
    offset: letter.record.offset,
    dlqTopic,
    // The callback's trace (its traceparent), as the ingress's log lines of its request name it.
    ...(traceId ? { trace_id: traceId } : {}),
  };
}
