import { z } from 'zod';
import { localTimeToInstant } from '../../shared/local-time.ts';
import { CONNECT_RESULT_CODES } from './connect-result.ts';
import type { Expand } from './map-call-history.ts';

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

const positionSchema = z.object({ t: z.iso.datetime(), c: z.string().min(1).max(128) });

/** The cursor is opaque to clients: base64url of the last returned call's position in the ordering. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ t: position.time, c: position.callId }), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): ListPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(text)) return undefined;
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
    .date()
    .refine((value) => value >= '1900-01-01' && value <= '9998-12-31', 'must be between 1900-01-01 and 9998-12-31');

const positiveInteger = (max: number) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, 'must be a positive integer')
    .transform(Number)
    .pipe(z.number().max(max, `must be at most ${max}`));

export const EXPAND_VALUES = ['none', 'customer', 'operator', 'all'] as const;

export const listCallsQuerySchema = z
  .object({
    start: day().describe('first day (YYYY-MM-DD) in the tenant timezone, inclusive'),
    end: day().describe('last day (YYYY-MM-DD) in the tenant timezone, inclusive'),
    expand: z.enum(EXPAND_VALUES).default('none').describe('which of customer and operator to return in full'),
    limit: positiveInteger(MAX_PAGE_SIZE)
      .optional()
      .describe(`page size (1..${MAX_PAGE_SIZE}); when set, a Link rel="next" header carries the next cursor`),
    cursor: z
      .string()
      .transform((text, context) => {
        const position = decodeCursor(text);
        if (!position) context.addIssue({ code: 'custom', message: 'is not a cursor this service issued' });
        return position ?? z.NEVER;
      })
      .optional()
      .describe('where the previous page ended (from its Link header)'),
    phoneNumber: z.string().min(1).max(64).optional().describe('only calls with this phoneNumber'),
    connectResult: z.enum(CONNECT_RESULT_CODES).optional().describe('only calls with this connectResult'),
    campaignId: positiveInteger(Number.MAX_SAFE_INTEGER).optional().describe('only calls of this outbound campaign (adTaskId)'),
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
