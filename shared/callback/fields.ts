import { z } from 'zod';
import { parseLocalTime } from '../local-time.ts';
import { EARLIEST_LOCAL_TIME, LATEST_LOCAL_TIME, MAX_INDEXED_TEXT_LENGTH } from './limits.ts';

/**
 * The value types the callback is built from (docs/callback.schema.json), each with the message a sender reads in
 * a 422. Messages say what is wrong with the value, the path in the answer says where.
 */
export const UNSAFE_INTEGER_MESSAGE =
  'is beyond 2^53 - 1 (9007199254740991) and cannot be read exactly from JSON, so it is refused rather than stored changed';

/** Text longer than a bound of limits.ts; zod counts Unicode code points, as JSON Schema's maxLength does. */
export const maxLengthMessage = (limit: number) => `must be at most ${limit} characters`;

export const LOCAL_TIME_RANGE_MESSAGE = `must be between ${EARLIEST_LOCAL_TIME} and ${LATEST_LOCAL_TIME}, so that its instant can be stored whatever the timezone`;

/** Says what was wrong with a value of the wrong type: missing, null, or something else. */
export const typeError = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : issue.input === null ? 'must not be null' : `must be ${expected}`;

const integerError = (expected: string) => (issue: { input?: unknown }) =>
  Number.isInteger(issue.input) ? UNSAFE_INTEGER_MESSAGE : `must be ${expected}`;

/** Ids, counts, durations and codes: a non-negative integer that survived JSON.parse exactly. */
export const count = () =>
  z
    .number({ error: typeError('a non-negative integer') })
    .int({ error: integerError('a non-negative integer') })
    .min(0, 'must be a non-negative integer');

export const text = () => z.string({ error: typeError('a string') });

/** Text that lands in a btree-indexed column: an index entry has a size limit (limits.ts). */
export const indexedText = () => text().max(MAX_INDEXED_TEXT_LENGTH, maxLengthMessage(MAX_INDEXED_TEXT_LENGTH));

/**
 * A documented string that some senders send as a JSON number (the seed sample does; see docs/callback.schema.json): accepted when it
 * is a safe integer and kept as its decimal string, so the topic always carries a string. With maxLength,
 * the string is bounded as sent and as kept (a safe integer has at most 16 digits, so within any bound used).
 */
export const textOrInteger = (maxLength?: number) => {
  const bounded = (schema: z.ZodString) => (maxLength === undefined ? schema : schema.max(maxLength, maxLengthMessage(maxLength)));
  return z
    .union([bounded(text()), z.number().int({ error: integerError('a string') })], { error: typeError('a string') })
    .transform((value) => (typeof value === 'number' ? String(value) : value))
    .pipe(bounded(z.string()));
};

/** A phone number or the contact's mobile: it lands in an indexed column, as text. */
export const indexedTextOrInteger = () => textOrInteger(MAX_INDEXED_TEXT_LENGTH);

const LOCAL_TIME_SHAPE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const LOCAL_TIME_MESSAGE = 'must be a real calendar time as yyyy-MM-dd HH:mm:ss';

/**
 * The shape and the range in one pattern, so the published JSON Schema states the range too: a negative
 * lookahead refuses every string of the shape below EARLIEST_LOCAL_TIME or above LATEST_LOCAL_TIME.
 */
export const LOCAL_TIME_PATTERN = new RegExp(
  `^(?!${[...beforeAlternatives(EARLIEST_LOCAL_TIME), ...afterAlternatives(LATEST_LOCAL_TIME)].join('|')})` +
    LOCAL_TIME_SHAPE.source.slice(1),
);

/**
 * Strings of one fixed-width shape order as their digits do, so "s < bound" is: s shares the bound's first
 * k characters and has a smaller digit at k, for some digit position k. One alternative per such position.
 */
function beforeAlternatives(bound: string): string[] {
  return digitPositions(bound)
    .filter((k) => bound[k] !== '0')
    .map((k) => `${bound.slice(0, k)}${digitClass('0', String(Number(bound[k]) - 1))}`);
}

function afterAlternatives(bound: string): string[] {
  return digitPositions(bound)
    .filter((k) => bound[k] !== '9')
    .map((k) => `${bound.slice(0, k)}${digitClass(String(Number(bound[k]) + 1), '9')}`);
}

function digitPositions(bound: string): number[] {
  return [...bound].flatMap((char, k) => (/\d/.test(char) ? [k] : []));
}

function digitClass(low: string, high: string): string {
  return low === high ? low : `[${low}-${high}]`;
}

/** A local time the schema accepts: of the shape, within the range, a real calendar time. */
export const isStorableLocalTime = (value: unknown): boolean =>
  typeof value === 'string' && LOCAL_TIME_PATTERN.test(value) && parseLocalTime(value) !== undefined;

/**
 * `yyyy-MM-dd HH:mm:ss` in the tenant's timezone, no offset, between EARLIEST_LOCAL_TIME and
 * LATEST_LOCAL_TIME (so its instant is storable in every zone); 2021-02-30 is refused.
 */
export const localTime = () =>
  text()
    .regex(LOCAL_TIME_PATTERN, {
      error: (issue) =>
        typeof issue.input === 'string' && LOCAL_TIME_SHAPE.test(issue.input) ? LOCAL_TIME_RANGE_MESSAGE : LOCAL_TIME_MESSAGE,
    })
    .refine((value) => !LOCAL_TIME_PATTERN.test(value) || parseLocalTime(value) !== undefined, LOCAL_TIME_MESSAGE);

export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: typeError('an array') });

/** A nested object; unknown fields are kept, like everywhere in the callback. */
export const record = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape, { error: typeError('an object') });

/** The seed's "null ok": the field may be absent or null. */
export const optional = <T extends z.ZodType>(schema: T) => schema.nullish();
