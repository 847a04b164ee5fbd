/**
 * Which failures are worth retrying. The promise is "never skip a message", so only errors that are
 * known to be about the message itself are permanent (it goes to the dead-letter topic); everything else,
 * including errors we do not recognise, is transient: the batch is retried until it succeeds.
 */
export type FailureClass = 'transient' | 'permanent';

/**
 * SQLSTATE classes that say "this row can never be stored": 22 data exception (bad value, e.g. a NUL
 * character in text), 23 integrity constraint violation, 54 program limit exceeded (e.g. an index row too
 * large for a huge call id). Retrying them cannot help.
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23', '54']);

interface ErrorWithCode {
  code?: unknown;
}

/** The SQLSTATE of a pg error (five characters, e.g. 23505), or undefined for other errors. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as ErrorWithCode | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function classifyFailure(error: unknown): FailureClass {
  const state = sqlState(error);
  return state !== undefined && PERMANENT_SQLSTATE_CLASSES.has(state.slice(0, 2)) ? 'permanent' : 'transient';
}

/**
 * Short reason for logs and metrics: the SQLSTATE, the Node socket error code (ECONNREFUSED…), or a
 * name for the pg pool's own failures, which come without a code.
 */
export function failureReason(error: unknown): string {
  const state = sqlState(error);
  if (state) return `sqlstate_${state}`;
  const code = (error as ErrorWithCode | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code.toLowerCase();
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout exceeded when trying to connect/i.test(message)) return 'pool_timeout';
  if (/connection terminated|not queryable|connection error/i.test(message)) return 'connection_lost';
  return 'unknown';
}

/**
 * What to log of an error: never the error object itself, since pg attaches its client (connection
 * parameters, password included) to connection errors.
 */
export function errorSummary(error: unknown): { message: string; code?: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as ErrorWithCode | null)?.code;
  return typeof code === 'string' ? { message, code } : { message };
}
