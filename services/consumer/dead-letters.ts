import type { IHeaders, Message } from 'kafkajs';
import type { DeadLetter } from './batch-processor.ts';

/**
 * The dead-letter record for a message that can never be stored: the original key, value and headers,
 * so it can be replayed once the cause is fixed, plus why it failed and where it came from.
 */
export const MAX_ERROR_MESSAGE_LENGTH = 4_000;

export function deadLetterMessage(letter: DeadLetter, sourceTopic: string): Message {
  const headers: IHeaders = {
    ...(letter.record.headers ?? {}),
    'error-code': letter.code,
    'error-message': letter.reason.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    'source-topic': sourceTopic,
    'source-partition': String(letter.record.partition),
    'source-offset': letter.record.offset,
  };
  if (letter.sqlState) headers['error-sqlstate'] = letter.sqlState;
  return { key: letter.record.key ?? null, value: letter.record.value, headers };
}
