import type { FastifyReply } from 'fastify';

/**
 * The one list of error codes every service answers with, each with its HTTP status. A client reads the
 * code, not the message; docs/topic-contract.md (ingress) and docs/query-api.md (query) say when each is
 * sent. A code not listed here cannot be sent: the helpers below take only these.
 */
export const ERROR_CODES = {
  // The request itself is malformed, before any route reads it (shared/http/framework-errors.ts).
  BAD_REQUEST: 400,
  BAD_URL: 400,
  MALFORMED_REQUEST: 400,
  MISSING_CONTENT_TYPE: 400,
  INVALID_CONTENT_LENGTH: 400,
  EMPTY_BODY: 400,
  INVALID_JSON: 400,
  INVALID_UTF8: 400,
  // A parameter is malformed: the code names the parameter (the query service's CODE_BY_PARAMETER).
  INVALID_PARAMETER: 400,
  INVALID_CALL_ID: 400,
  INVALID_DATE: 400,
  INVALID_DATE_RANGE: 400,
  INVALID_EXPAND: 400,
  INVALID_LIMIT: 400,
  INVALID_CURSOR: 400,
  INVALID_PHONE_NUMBER: 400,
  INVALID_CONNECT_RESULT: 400,
  INVALID_CAMPAIGN_ID: 400,
  UNAUTHORIZED: 401,
  /**
   * The ingress, to a tenant that signs its callbacks (README "Signed callbacks"): no Callstream-Signature
   * header, one that is not t=…,v1=…, no v1 that matches the body, a timestamp beyond the tolerance.
   */
  SIGNATURE_MISSING: 401,
  SIGNATURE_MALFORMED: 401,
  SIGNATURE_MISMATCH: 401,
  SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE: 401,
  FORBIDDEN: 403,
  /** The query service, to a client with the right access token of a disabled tenant (the ingress says 401). */
  TENANT_DISABLED: 403,
  NOT_FOUND: 404,
  CALL_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  BODY_TOO_LARGE: 413,
  RECORD_TOO_LARGE: 413,
  URL_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SCHEMA_VIOLATION: 422,
  /** The ingress, to a tenant sending faster than its rate limit: sent with Retry-After. */
  TENANT_RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  /** A client error no other code describes (a plugin's own 4xx): it keeps the status it was raised with. */
  REQUEST_REFUSED: '4xx',
  INTERNAL_ERROR: 500,
  DATABASE_UNAVAILABLE: 503,
  TENANT_LOOKUP_UNAVAILABLE: 503,
  KAFKA_UNAVAILABLE: 503,
  QUEUE_FULL: 503,
  /** The ingress, to a tenant holding its share of a nearly full publish queue while others still get in. */
  TENANT_QUEUE_SHARE_EXCEEDED: 503,
  OVERLOADED: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes whose status is fixed, i.e. all but REQUEST_REFUSED. */
export type FixedStatusCode = { [Code in ErrorCode]: (typeof ERROR_CODES)[Code] extends number ? Code : never }[ErrorCode];

/** The codes of a 503: each is sent with Retry-After. */
export type UnavailableCode = { [Code in ErrorCode]: (typeof ERROR_CODES)[Code] extends 503 ? Code : never }[ErrorCode];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export function statusOf(code: FixedStatusCode): number {
  return ERROR_CODES[code];
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; [detail: string]: unknown };
}

/** `{"error":{"code","message",…}}`: details (the 422's issues, say) sit beside code and message. */
export function errorBody(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, ...details } };
}

export function sendError(reply: FastifyReply, code: FixedStatusCode, message: string, details?: Record<string, unknown>) {
  return reply.code(statusOf(code)).send(errorBody(code, message, details));
}

/** A 503 tells the client to come back: always with Retry-After. */
export function sendUnavailable(reply: FastifyReply, retryAfterSeconds: number, code: UnavailableCode, message: string) {
  return reply.code(503).header('retry-after', String(retryAfterSeconds)).send(errorBody(code, message));
}

/** Everything a 500 says: the cause is in the log, never in the answer. */
export const INTERNAL_ERROR_MESSAGE = 'internal error';
