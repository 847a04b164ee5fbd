import { z } from 'zod';
import { parseLocalTime } from '../local-time.ts';

/**
 * The value types the callback is built from (SPEC section 2), each with the message a sender reads in
 * a 422. Messages say what is wrong with the value, the path in the answer says where.
 */
export const UNSAFE_INTEGER_MESSAGE =
  'is beyond 2^53 - 1 (9007199254740991) and cannot be read exactly from JSON, so it is refused rather than stored changed';

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

/**
 * A documented string that some senders send as a JSON number (⚠ in SPEC section 2): accepted when it
 * is a safe integer and kept as its decimal string, so the topic always carries a string.
 */
export const textOrInteger = () =>
  z
    .union([text(), z.number().int({ error: integerError('a string') })], { error: typeError('a string') })
    .transform((value) => (typeof value === 'number' ? String(value) : value))
    .pipe(z.string());

const LOCAL_TIME_SHAPE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const LOCAL_TIME_MESSAGE = 'must be a real calendar time as yyyy-MM-dd HH:mm:ss';

/** `yyyy-MM-dd HH:mm:ss` in the tenant's timezone, no offset; 2021-02-30 is refused. */
export const localTime = () =>
  text()
    .regex(LOCAL_TIME_SHAPE, LOCAL_TIME_MESSAGE)
    .refine((value) => !LOCAL_TIME_SHAPE.test(value) || parseLocalTime(value) !== undefined, LOCAL_TIME_MESSAGE);

export const list = <T extends z.ZodType>(item: T) => z.array(item, { error: typeError('an array') });

/** A nested object; unknown fields are kept, like everywhere in the callback. */
export const record = <T extends z.core.$ZodLooseShape>(shape: T) => z.looseObject(shape, { error: typeError('an object') });

/** The seed's "null ok": the field may be absent or null. */
export const optional = <T extends z.ZodType>(schema: T) => schema.nullish();
