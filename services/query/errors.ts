import type { ErrorCode } from '../../shared/http/error-codes.ts';

/**
 * The query service's words within the one vocabulary (shared/http/error-codes.ts); the answers
 * themselves are the shared error handler's.
 */

/** The stable code of a malformed parameter; one per parameter, documented in docs/query-api.md. */
export const CODE_BY_PARAMETER: Readonly<Record<string, ErrorCode>> = {
  callId: 'INVALID_CALL_ID',
  start: 'INVALID_DATE',
  end: 'INVALID_DATE',
  expand: 'INVALID_EXPAND',
  limit: 'INVALID_LIMIT',
  cursor: 'INVALID_CURSOR',
  phoneNumber: 'INVALID_PHONE_NUMBER',
  connectResult: 'INVALID_CONNECT_RESULT',
  campaignId: 'INVALID_CAMPAIGN_ID',
};

export const DATABASE_UNAVAILABLE_MESSAGE = 'the call history cannot be read right now; retry later';
