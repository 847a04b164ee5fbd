import fc from 'fast-check';
import { DAYS, type ListPosition, type TenantKey } from './query-fuzz-calls.ts';

/**
 * Query strings for GET /v1/calls, written from docs/query-api.md rather than from the service's schema:
 * each parameter absent, valid, invalid in the ways the table of 400s lists (and others), repeated, or
 * not even valid percent-encoding; cursors as the service issued them (to this tenant or the other),
 * tampered with, forged, or made up. Each part says what the answer must be: the parameter's code and
 * name when it is invalid, or, for a cursor the service may or may not take, that either is allowed.
 */
export type ListParameter = 'start' | 'end' | 'expand' | 'limit' | 'cursor';

export interface Part {
  /** `name=value` pieces, already encoded, in order. */
  pieces: string[];
  state: 'absent' | 'valid' | 'invalid';
  /** The decoded value when valid. */
  value?: string;
}

/** A cursor's part: known ones were issued at a known position; `maybe` ones may be taken or refused. */
export interface CursorPart {
  pieces: string[];
  state: 'absent' | 'known' | 'maybe' | 'invalid';
  position?: ListPosition;
  /** What a cursor decodes to if it is the service's format at all (base64url JSON {t, c}). */
  decoded?: { at: string; callId: string };
}

/** A cursor the service issued, and the position of the call it ended a page with. */
export interface IssuedCursor {
  tenant: TenantKey;
  cursor: string;
  position: ListPosition;
}

export interface ListQuery {
  tenant: TenantKey;
  start: Part;
  end: Part;
  expand: Part;
  limit: Part;
  cursor: CursorPart;
  /** Parameters the endpoint does not know (ignored). */
  unknown: string[];
}

const DAY_TEXT = /^\d{4}-\d{2}-\d{2}$/;

/** A real date from 1900-01-01 to 9998-12-31, written YYYY-MM-DD. */
export function isValidDay(text: string): boolean {
  if (!DAY_TEXT.test(text) || text < '1900-01-01' || text > '9998-12-31') return false;
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export const EXPANDS = ['none', 'customer', 'operator', 'all'];
const isValidLimit = (text: string) => /^[1-9][0-9]*$/.test(text) && Number(text) <= 1000;

/** Bytes a URL may carry that are not valid percent-encoding of UTF-8, or decode to U+0000. */
const RAW_BAD = fc.constantFrom('%', '%F', '%FF', '%ZZ', '%ED%A0%80', '%C0%AF', '%E3%81', '%00', 'a%2', '%%20');

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);

/** A parameter's good values (absent when optional, or valid) and bad ones, apart, so a query can break one at a time. */
interface Choices<T> {
  good: fc.Arbitrary<T>;
  bad: fc.Arbitrary<T>;
}

function parameter(name: string, valid: fc.Arbitrary<string>, invalid: fc.Arbitrary<string>, required: boolean): Choices<Part> {
  const encoded = (value: string) => `${name}=${encodeURIComponent(value)}`;
  const validPart = valid.map((value): Part => ({ pieces: [encoded(value)], state: 'valid', value }));
  const missing = fc.constant<Part>({ pieces: [], state: required ? 'invalid' : 'absent' });
  return {
    good: required ? validPart : fc.oneof({ weight: 1, arbitrary: missing }, { weight: 3, arbitrary: validPart }),
    bad: fc.oneof(
      { weight: 6, arbitrary: invalid.map((value): Part => ({ pieces: [encoded(value)], state: 'invalid' })) },
      { weight: 1, arbitrary: fc.constant<Part>({ pieces: [name], state: 'invalid' }) },
      {
        weight: 2,
        arbitrary: fc.tuple(fc.string({ maxLength: 3 }), RAW_BAD).map(([prefix, raw]): Part => ({
          pieces: [`${name}=${encodeURIComponent(prefix)}${raw}`],
          state: 'invalid',
        })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(valid, fc.oneof(valid, invalid))
          .map(([first, second]): Part => ({ pieces: [encoded(first), encoded(second)], state: 'invalid' })),
      },
      ...(required ? [{ weight: 1, arbitrary: missing }] : []),
    ),
  };
}

const validDay = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...DAYS) },
  { weight: 1, arbitrary: fc.constantFrom('1900-01-01', '9998-12-31', '2020-02-29', '2000-02-29', '2021-01-01') },
);
const invalidDay = fc.oneof(
  fc.constantFrom(
    '2021-02-29',
    '1900-02-29',
    '2021-02-30',
    '2021-04-31',
    '2021-13-01',
    '2021-00-10',
    '2021-06-00',
    '2021-06-32',
    '20210601',
    '2021-6-1',
    '2021/06/01',
    '1899-12-31',
    '9999-01-01',
    '0000-01-01',
    ' 2021-06-01',
    '2021-06-01 ',
    '2021-06-01T00:00:00',
    '+2021-06-01',
    '２０２１-06-01',
    '',
  ),
  text.filter((value) => !isValidDay(value)),
);

const validLimit = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 60 }), fc.constantFrom(999, 1000)).map(String);
const invalidLimit = fc.oneof(
  fc.constantFrom('0', '1001', '-1', '01', '+1', '1e1', '0x10', ' 5', '5 ', '1.0', '', '9'.repeat(400), '１', 'Infinity', 'NaN'),
  text.filter((value) => !isValidLimit(value)),
);

const validExpand = fc.constantFrom(...EXPANDS);
const invalidExpand = fc.oneof(
  fc.constantFrom('ALL', 'None', 'customer,operator', '', 'all ', ' all', 'everything', 'customer&expand=all'),
  text.filter((value) => !EXPANDS.includes(value)),
);

const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The service's cursor format, as far as a client can read it: base64url of {"t": instant, "c": callId}. */
export function decodeCursorText(cursor: string): { at: string; callId: string } | undefined {
  try {
    const json: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof json !== 'object' || json === null) return undefined;
    const { t, c } = json as Record<string, unknown>;
    return typeof t === 'string' && CURSOR_TIME.test(t) && typeof c === 'string' ? { at: t, callId: c } : undefined;
  } catch {
    return undefined;
  }
}

const maybe = (cursor: string): CursorPart => {
  const decoded = decodeCursorText(cursor);
  return { pieces: [`cursor=${encodeURIComponent(cursor)}`], state: 'maybe', ...(decoded ? { decoded } : {}) };
};
const forge = (json: unknown) => Buffer.from(JSON.stringify(json) ?? 'null', 'utf8').toString('base64url');

/** One microsecond before or after an instant written as a cursor writes it. */
function shifted(at: string, micros: number): string {
  const whole = Date.parse(at);
  const fraction = Number(at.slice(20, 26)) + micros;
  const seconds = Math.floor(fraction / 1_000_000);
  const rest = ((fraction % 1_000_000) + 1_000_000) % 1_000_000;
  return `${new Date(Math.floor(whole / 1000) * 1000 + seconds * 1000).toISOString().slice(0, 19)}.${String(rest).padStart(6, '0')}Z`;
}

function cursorPart(issued: IssuedCursor[], callIds: string[]): Choices<CursorPart> {
  const known = fc
    .constantFrom(...issued)
    .map((cursor): CursorPart => ({ pieces: [`cursor=${cursor.cursor}`], state: 'known', position: cursor.position }));
  const tampered = fc
    .tuple(fc.constantFrom(...issued), fc.nat(), fc.constantFrom(...BASE64URL), fc.integer({ min: 0, max: 5 }))
    .map(([{ cursor }, at, character, how]) => {
      const index = at % cursor.length;
      switch (how) {
        case 0:
          return `${cursor.slice(0, index)}${character}${cursor.slice(index + 1)}`;
        case 1:
          return cursor.slice(0, index);
        case 2:
          return `${cursor}${character}`;
        case 3:
          return cursor.toUpperCase();
        case 4:
          return `${cursor}=`;
        default:
          return `${cursor}${cursor}`;
      }
    })
    .map(maybe);
  const instant = fc.oneof(
    fc.constantFrom(...issued).map((cursor) => cursor.position.at),
    fc.tuple(fc.constantFrom(...issued), fc.constantFrom(-1, 1)).map(([cursor, micros]) => shifted(cursor.position.at, micros)),
    fc
      .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
      .map((date) => `${date.toISOString().slice(0, 23)}000Z`),
    fc.constantFrom('2021-06-02T03:00:00Z', '2021-06-02T03:00:00.000Z', '2021-02-29T00:00:00.000000Z', '0000-01-01T00:00:00.000000Z'),
    text,
  );
  const callId = fc.oneof(fc.constantFrom(...callIds), fc.string({ maxLength: 130 }), fc.constantFrom('', 'x'.repeat(129), '\u0000'));
  const forged = fc
    .oneof(
      { weight: 4, arbitrary: fc.record({ t: instant, c: callId }) },
      { weight: 1, arbitrary: fc.jsonValue() },
      { weight: 1, arbitrary: fc.record({ t: instant, c: callId, extra: fc.jsonValue() }) },
    )
    .map((json) => maybe(forge(json)));
  const madeUp = fc.oneof(fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 60 }), text).map(maybe);
  return {
    // Good for the query around it: absent, issued, or one the service may take or refuse.
    good: fc.oneof(
      { weight: 2, arbitrary: fc.constant<CursorPart>({ pieces: [], state: 'absent' }) },
      { weight: 3, arbitrary: known },
      { weight: 2, arbitrary: tampered },
      { weight: 3, arbitrary: forged },
      { weight: 1, arbitrary: madeUp },
    ),
    bad: fc.oneof(
      fc.tuple(RAW_BAD, fc.constantFrom(...issued)).map(([raw, { cursor }]): CursorPart => ({
        pieces: [`cursor=${cursor.slice(0, 4)}${raw}`],
        state: 'invalid',
      })),
      fc
        .tuple(fc.constantFrom(...issued), fc.constantFrom(...issued))
        .map(([first, second]): CursorPart => ({ pieces: [`cursor=${first.cursor}`, `cursor=${second.cursor}`], state: 'invalid' })),
    ),
  };
}

const PARAMETERS = ['start', 'end', 'expand', 'limit', 'cursor', 'range'] as const;

/**
 * Half the queries have every parameter good (so that a tampered cursor is what the service judges), a
 * third break one parameter, the rest take each parameter good or bad at random.
 */
export function listQueryArb(issued: IssuedCursor[], callIds: string[]): fc.Arbitrary<ListQuery> {
  const choices = {
    start: parameter('start', validDay, invalidDay, true),
    end: parameter('end', validDay, invalidDay, true),
    expand: parameter('expand', validExpand, invalidExpand, false),
    limit: parameter('limit', validLimit, invalidLimit, false),
    cursor: cursorPart(issued, callIds),
  };
  const broken = fc.oneof(
    { weight: 3, arbitrary: fc.constant<ReadonlyArray<(typeof PARAMETERS)[number]>>([]) },
    { weight: 2, arbitrary: fc.constantFrom(...PARAMETERS).map((name) => [name]) },
    { weight: 1, arbitrary: fc.subarray([...PARAMETERS]) },
  );
  const pick = <T>(name: (typeof PARAMETERS)[number], of: Choices<T>, bad: ReadonlyArray<string>) =>
    bad.includes(name) ? of.bad : of.good;
  return fc.tuple(fc.constantFrom<TenantKey>('A', 'B'), broken, fc.boolean()).chain(([tenant, bad, reversed]) =>
    fc
      .record({
        tenant: fc.constant(tenant),
        start: pick('start', choices.start, bad),
        end: pick('end', choices.end, bad),
        expand: pick('expand', choices.expand, bad),
        limit: pick('limit', choices.limit, bad),
        cursor: pick('cursor', choices.cursor, bad),
        unknown: fc.array(
          fc
            .tuple(fc.constantFrom('page', 'offset', 'tenantId', 'sort', 'START', 'x'), text)
            .map(([name, value]) => `${name}=${encodeURIComponent(value)}`),
          { maxLength: 2 },
        ),
      })
      // Good days come as a range; a broken range (end before start) is a breakage of its own.
      .map((query) => (bad.includes('start') || bad.includes('end') ? query : ordered(query, reversed && bad.includes('range')))),
  );
}

function ordered(query: ListQuery, reversed: boolean): ListQuery {
  const [first, last] = [query.start.value!, query.end.value!].sort();
  const [start, end] = reversed ? [last!, first!] : [first!, last!];
  const day = (name: string, value: string): Part => ({ pieces: [`${name}=${value}`], state: 'valid', value });
  return { ...query, start: day('start', start), end: day('end', end) };
}

export function queryString(query: ListQuery): string {
  return [
    ...query.start.pieces,
    ...query.end.pieces,
    ...query.expand.pieces,
    ...query.limit.pieces,
    ...query.cursor.pieces,
    ...query.unknown,
  ].join('&');
}

/**
 * The refusals the answer may be, as `CODE parameter`: one for each invalid parameter (the service names the
 * first it finds), INVALID_DATE_RANGE when both days are valid and end is before start, and INVALID_CURSOR
 * for a cursor it may refuse. Empty: the answer must be 200.
 */
export function allowedRefusals(query: ListQuery): { must: boolean; refusals: Set<string> } {
  const refusals = new Set<string>();
  if (query.start.state === 'invalid') refusals.add('INVALID_DATE start');
  if (query.end.state === 'invalid') refusals.add('INVALID_DATE end');
  if (query.start.state === 'valid' && query.end.state === 'valid' && query.end.value! < query.start.value!) {
    refusals.add('INVALID_DATE_RANGE end');
  }
  if (query.expand.state === 'invalid') refusals.add('INVALID_EXPAND expand');
  if (query.limit.state === 'invalid') refusals.add('INVALID_LIMIT limit');
  if (query.cursor.state === 'invalid') refusals.add('INVALID_CURSOR cursor');
  const must = refusals.size > 0;
  if (query.cursor.state === 'maybe') refusals.add('INVALID_CURSOR cursor');
  return { must, refusals };
}
