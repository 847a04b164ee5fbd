import { z } from 'zod';
import { MAX_CALL_ID_LENGTH, MAX_INDEXED_TEXT_LENGTH } from '../../shared/callback/limits.ts';
import { localTimeToInstant } from '../../shared/local-time.ts';
import { CONNECT_RESULT_CODES } from './connect-result.ts';
import type { Expand } from './map-call-history.ts';
import { NOT_STORABLE_MESSAGE, STORABLE_TEXT, parameterError, parameterText } from './query-params.ts';

/**
 * The query string of GET /v1/calls: commubo's start/end/expand, plus our keyset pagination (limit,
 * cursor) and filters. Parsing it is the whole validation: a malformed value is a 400 naming it.
 */
export const MAX_PAGE_SIZE = 1000;

export interface ListPosition {
  /** call_start_time to the microsecond, UTC. */
  time: string;
  callId: string;
}

/**
 * Exactly what encodeCursor writes of a position read from Postgres, so a forged cursor is refused here
 * rather than by Postgres: to_char's microseconds (no other precision, which Postgres would round), a year
 * from 0001 (Postgres has no year 0), and a call id as stored (1 to 128 characters of storable text).
 */
const positionSchema = z.object({
  t: z.iso.datetime({ precision: 6 }).regex(/^(?!0000)/, 'year 0 does not exist'),
  c: z.string().min(1).max(MAX_CALL_ID_LENGTH).regex(STORABLE_TEXT),
});

const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,1024}$/;
const NOT_A_CURSOR = 'is not a cursor this service issued';

/** The cursor is opaque to clients: base64url of the last returned call's position in the ordering. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ t: position.time, c: position.callId }), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): ListPosition | undefined {
  if (!CURSOR_TEXT.test(text)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = positionSchema.safeParse(json);
  return parsed.success ? { time: parsed.data.t, callId: parsed.data.c } : undefined;
}

const day = () =>
  z.iso
    .date({ error: parameterError })
    .refine((value) => value >= '1900-01-01' && value <= '9998-12-31', 'must be between 1900-01-01 and 9998-12-31');

/**
 * Plain decimal digits only (no sign, exponent, hex or fraction, which Number() would take), read as a
 * number and bounded by its maximum; a value past it, however many digits, gets the bound in its message.
 */
const decimal = (pattern: RegExp, message: string, max: number) =>
  parameterText()
    .regex(pattern, { error: message, abort: true })
    // Compared before the transform: past about 309 digits Number() is Infinity, which z.number() refuses as not a number.
    .refine((text) => Number(text) <= max, `must be at most ${max}`)
    .transform(Number);

export const EXPAND_VALUES = ['none', 'customer', 'operator', 'all'] as const;

export const listCallsQuerySchema = z
  .object({
    start: day().describe('first day (YYYY-MM-DD) in the tenant timezone, inclusive; 1900-01-01 to 9998-12-31'),
    end: day().describe('last day (YYYY-MM-DD) in the tenant timezone, inclusive; 1900-01-01 to 9998-12-31'),
    expand: z.enum(EXPAND_VALUES, { error: parameterError }).default('none').describe('which of customer and operator to return in full'),
    limit: decimal(/^[1-9][0-9]*$/, 'must be a positive integer', MAX_PAGE_SIZE)
      .optional()
      .describe(`page size (1..${MAX_PAGE_SIZE}); when set, a Link rel="next" header carries the next cursor`),
    cursor: parameterText()
      .regex(CURSOR_TEXT, NOT_A_CURSOR)
      .transform((text, context) => {
        const position = decodeCursor(text);
        if (!position) context.addIssue({ code: 'custom', message: NOT_A_CURSOR });
        return position ?? z.NEVER;
      })
      .optional()
      .describe('where the previous page ended (from its Link header)'),
    // As long as the ingress stores: every stored phone number can be filtered on.
    phoneNumber: parameterText()
      .min(1, 'must not be empty')
      .max(MAX_INDEXED_TEXT_LENGTH, `must be at most ${MAX_INDEXED_TEXT_LENGTH} characters`)
      .regex(STORABLE_TEXT, NOT_STORABLE_MESSAGE)
      .optional()
      .describe('only calls with this phoneNumber'),
    connectResult: z.enum(CONNECT_RESULT_CODES, { error: parameterError }).optional().describe('only calls with this connectResult'),
    // Any adTaskId the ingress accepts: a JSON integer from 0 to 2^53 - 1.
    campaignId: decimal(/^(0|[1-9][0-9]*)$/, 'must be a non-negative integer', Number.MAX_SAFE_INTEGER)
      .optional()
      .describe(`only calls of this outbound campaign (adTaskId, 0..${Number.MAX_SAFE_INTEGER})`),
  })
  .refine((query) => query.start <= query.end, {
    message: 'must not be before start',
    path: ['end'],
    params: { code: 'INVALID_DATE_RANGE' },
  });

export type ListCallsQuery = z.output<typeof listCallsQuerySchema>;

export function expandOf(value: ListCallsQuery['expand']): Expand {
  return { customer: value === 'customer' || value === 'all', operator: value === 'operator' || value === 'all' };
}

function nextDay(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** [start 00:00, the day after end 00:00) in the tenant's timezone, as instants. */
export function dayRange(start: string, end: string, timeZone: string): { from: Date; to: Date } {
  return {
    from: localTimeToInstant(`${start} 00:00:00`, timeZone),
    to: localTimeToInstant(`${nextDay(end)} 00:00:00`, timeZone),
  };
}
