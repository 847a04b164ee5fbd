/**
 * What a Postgres failure means, decided once for every service by SQLSTATE class and by the connection
 * errors of Node and pg: the consumer dead-letters only what can never be stored and retries the rest,
 * the query service and the ingress answer 503 + Retry-After only when trying again can help.
 */
export type PostgresFailureClass =
  /** Postgres cannot be used right now: unreachable, the connection lost, shutting down or starting, full. */
  | 'unavailable'
  /** The same statement may succeed if run again: a serialization failure, a deadlock, a lock timeout. */
  | 'retryable'
  /** These values can never be stored: a bad value (22), a constraint (23), a program limit such as an index row too large (54). */
  | 'data'
  /** Anything else, including errors that are not Postgres's: a bug or a schema that is not migrated. */
  | 'unknown';

const DATA_SQLSTATE_CLASSES = new Set(['22', '23', '54']);
/** 08 connection exception, 57P01–57P03 shutting down or starting, 53 insufficient resources (too many connections, no disk). */
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(['08', '53']);
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
/** 40001 serialization failure, 40P01 deadlock, 55P03 lock not available, 57014 statement timeout or cancel. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014']);
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** pg and pg-pool report these without a code. */
const POOL_TIMEOUT = /timeout exceeded when trying to connect/i;
const CONNECTION_LOST = /connection terminated|not queryable|connection error/i;

interface WithCode {
  code?: unknown;
}

/**
 * The SQLSTATE of a pg error (five characters, e.g. 23505), or undefined for other errors. No SQLSTATE
 * class starts with E, and Node's five-letter socket codes (EPIPE) do.
 */
export function sqlState(error: unknown): string | undefined {
  const code = (error as WithCode | null)?.code;
  return typeof code === 'string' && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code) ? code : undefined;
}

function classOfOne(error: unknown): PostgresFailureClass {
  const state = sqlState(error);
  if (state) {
    if (DATA_SQLSTATE_CLASSES.has(state.slice(0, 2))) return 'data';
    if (UNAVAILABLE_SQLSTATE_CLASSES.has(state.slice(0, 2)) || UNAVAILABLE_SQLSTATES.has(state)) return 'unavailable';
    if (RETRYABLE_SQLSTATES.has(state)) return 'retryable';
    return 'unknown';
  }
  const code = (error as WithCode | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_SOCKET_CODES.has(code)) return 'unavailable';
  const message = error instanceof Error ? error.message : '';
  return POOL_TIMEOUT.test(message) || CONNECTION_LOST.test(message) ? 'unavailable' : 'unknown';
}

/**
 * The class of a failure, looking through `cause` chains and AggregateError (pg reports a host with
 * several addresses that way); the first cause with a known class decides.
 */
export function classifyPostgresFailure(error: unknown): PostgresFailureClass {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.shift();
    if (seen.has(current)) continue;
    seen.add(current);
    const found = classOfOne(current);
    if (found !== 'unknown') return found;
    if (current instanceof AggregateError) pending.push(...current.errors);
    if (current instanceof Error && current.cause !== undefined) pending.push(current.cause);
  }
  return 'unknown';
}

/** Trying again later can help: answer 503 + Retry-After (a client) or retry the batch (the consumer). */
export const isTransientPostgresFailure = (error: unknown): boolean => {
  const found = classifyPostgresFailure(error);
  return found === 'unavailable' || found === 'retryable';
};

/**
 * Short reason for logs and metric labels (a bounded set): the SQLSTATE, the socket error code
 * (ECONNREFUSED…), or a name for pg-pool's own failures, which come without a code.
 */
export function postgresFailureReason(error: unknown): string {
  const state = sqlState(error);
  if (state) return `sqlstate_${state}`;
  const code = (error as WithCode | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code.toLowerCase();
  const message = error instanceof Error ? error.message : String(error);
  if (POOL_TIMEOUT.test(message)) return 'pool_timeout';
  if (CONNECTION_LOST.test(message)) return 'connection_lost';
  return 'unknown';
}

/**
 * What to log of an error: never the error object itself, since pg attaches its client (connection
 * parameters, password included) to connection errors.
 */
export function errorSummary(error: unknown): { message: string; code?: string } {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as WithCode | null)?.code;
  return typeof code === 'string' ? { message, code } : { message };
}
