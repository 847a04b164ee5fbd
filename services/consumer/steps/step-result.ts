/**
 * What each step answers for one record: go on with its value, or send the record to the dead-letter
 * topic with why. A step never decides to retry: a failure that may pass (Postgres unreachable) is
 * thrown, and the batch processor retries the whole batch.
 */
export const DEAD_LETTER_CODES = [
  'EMPTY_VALUE',
  'INVALID_JSON',
  'SCHEMA_VIOLATION',
  'UNKNOWN_TENANT',
  'FLATTEN_FAILED',
  'DATABASE_REJECTED',
] as const;

export type DeadLetterCode = (typeof DEAD_LETTER_CODES)[number];

export type StepResult<T> = { kind: 'ok'; value: T } | { kind: 'dlq'; code: DeadLetterCode; reason: string };

export const ok = <T>(value: T): StepResult<T> => ({ kind: 'ok', value });
export const dlq = (code: DeadLetterCode, reason: string): StepResult<never> => ({ kind: 'dlq', code, reason });
