import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCallback, scanText } from '../../services/ingress/callback-body/decode-callback-body.ts';
import { LOCAL_TIME_PATTERN, LOCAL_TIME_RANGE_MESSAGE, maxLengthMessage, UNSAFE_INTEGER_MESSAGE } from '../../shared/callback/fields.ts';
import {
  INEXACT_NUMBER_MESSAGE,
  inexactNumberIssues,
  NON_FINITE_NUMBER_MESSAGE,
  readNumberToken,
  scanNumberToken,
} from '../../services/ingress/callback-body/json-numbers.ts';
import { renderSchemaDocument, SCHEMA_DOCUMENTS } from '../../scripts/schema-documents.ts';
import { EARLIEST_LOCAL_TIME, LATEST_LOCAL_TIME, MAX_CALL_ID_LENGTH, MAX_INDEXED_TEXT_LENGTH } from '../../shared/callback/limits.ts';
import { localTimeToInstant } from '../../shared/local-time.ts';

/** The bounds that storage imposes (limits.ts), each exactly at its limit and one past, and the number rule. */
const seedText = readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8');
const seed = JSON.parse(seedText);
const LIMIT = MAX_INDEXED_TEXT_LENGTH;
const TOO_LONG = maxLengthMessage(LIMIT);

const decode = (change: Record<string, unknown>) => decodeCallback(JSON.stringify({ ...seed, ...change }));
const issuesOf = (body: string) => {
  const decoded = decodeCallback(body);
  return decoded.kind === 'rejected' ? decoded.issues : decoded.kind;
};
const withRaw = (members: string) => seedText.replace('{', `{${members},`);

/** Each indexed text field: [path, the change that puts `value` there]. */
const INDEXED_FIELDS: Array<[string, (value: unknown) => Record<string, unknown>]> = [
  ['fromNumber', (value) => ({ fromNumber: value })],
  ['toNumber', (value) => ({ toNumber: value })],
  ['relayNumber', (value) => ({ relayNumber: value })],
  ['customerNumber', (value) => ({ customerNumber: value })],
  ['contactDetailRel.mobile', (value) => ({ contactDetailRel: { ...seed.contactDetailRel, mobile: value } })],
  ['labelInfos[0]', (value) => ({ labelInfos: [value] })],
  ['instances[0].labelInfoList[0].name', (value) => ({ instances: [{ ...seed.instances[0], labelInfoList: [{ name: value }] }] })],
];

describe('indexed text', () => {
  it.each(INDEXED_FIELDS)(`%s: ${LIMIT} characters accepted as sent, ${LIMIT + 1} refused`, (path, change) => {
    const atLimit = '語'.repeat(LIMIT);
    const decoded = decode(change(atLimit));
    expect(decoded.kind).toBe('accepted');
    expect(decoded.kind === 'accepted' && decoded.callback).toEqual({ ...seed, customerNumber: '18770915633', ...change(atLimit) });
    expect(issuesOf(JSON.stringify({ ...seed, ...change(`${atLimit}x`) }))).toEqual([{ path, message: TOO_LONG }]);
  });

  it('counts characters as code points, as JSON Schema does: 256 emoji (512 UTF-16 units, 1,024 bytes) fit', () => {
    expect(decode({ labelInfos: ['😀'.repeat(LIMIT)] }).kind).toBe('accepted');
    expect(issuesOf(JSON.stringify({ ...seed, labelInfos: [`${'😀'.repeat(LIMIT)}x`] }))).toEqual([
      { path: 'labelInfos[0]', message: TOO_LONG },
    ]);
  });

  it('leaves text that is not indexed unbounded', () => {
    const long = 'x'.repeat(10_000);
    expect(decode({ remark: long, robotNames: [long], hangupCause: long, instances: [{ robotName: long }] }).kind).toBe('accepted');
  });

  it(`callId: ${MAX_CALL_ID_LENGTH} characters accepted, ${MAX_CALL_ID_LENGTH + 1} refused`, () => {
    expect(decode({ callId: 'c'.repeat(MAX_CALL_ID_LENGTH) }).kind).toBe('accepted');
    expect(issuesOf(JSON.stringify({ ...seed, callId: 'c'.repeat(MAX_CALL_ID_LENGTH + 1) }))).toEqual([
      { path: 'callId', message: maxLengthMessage(MAX_CALL_ID_LENGTH) },
    ]);
  });

  it('is published in the JSON Schema, as sent and as kept on the topic', () => {
    const callback = JSON.parse(renderSchemaDocument(SCHEMA_DOCUMENTS[0]));
    const envelope = JSON.parse(renderSchemaDocument(SCHEMA_DOCUMENTS[1])).properties.callback;
    expect(callback.properties.fromNumber.anyOf[0]).toEqual({ type: 'string', maxLength: LIMIT });
    expect(callback.properties.labelInfos.anyOf[0].items).toEqual({ type: 'string', maxLength: LIMIT });
    expect(callback.properties.contactDetailRel.anyOf[0].properties.mobile.anyOf[0].anyOf[0]).toEqual({ type: 'string', maxLength: LIMIT });
    expect(envelope.properties.customerNumber.anyOf[0]).toEqual({ type: 'string', maxLength: LIMIT });
    expect(envelope.properties.callId.maxLength).toBe(MAX_CALL_ID_LENGTH);
  });
});

const oneSecond = (time: string, direction: 1 | -1) => {
  const instant = new Date(`${time.replace(' ', 'T')}Z`).getTime() + direction * 1000;
  return new Date(instant).toISOString().slice(0, 19).replace('T', ' ');
};

/** Each local-time field: [path, the change that puts `time` there]. */
const TIME_FIELDS: Array<[string, (time: string) => Record<string, unknown>]> = [
  ['callStartTime', (time) => ({ callStartTime: time, callEndTime: LATEST_LOCAL_TIME })],
  ['callEndTime', (time) => ({ callStartTime: EARLIEST_LOCAL_TIME, callEndTime: time })],
  ['instances[0].dialogueStartTime', (time) => ({ instances: [{ dialogueStartTime: time }] })],
  ['instances[0].dialogueEndTime', (time) => ({ instances: [{ dialogueEndTime: time }] })],
  [
    'instances[0].dialogueContentList[0].dialogueStartTime',
    (time) => ({ instances: [{ dialogueContentList: [{ dialogueStartTime: time }] }] }),
  ],
];

describe('local times', () => {
  it('have bounds one second apart from their refused neighbours', () => {
    expect([oneSecond(EARLIEST_LOCAL_TIME, -1), oneSecond(LATEST_LOCAL_TIME, 1)]).toEqual(['0001-01-01 23:59:59', '9999-12-31 00:00:00']);
  });

  it.each(TIME_FIELDS)('%s: both bounds accepted, one second outside refused with the range', (path, change) => {
    expect(decode(change(EARLIEST_LOCAL_TIME)).kind).toBe('accepted');
    expect(decode(change(LATEST_LOCAL_TIME)).kind).toBe('accepted');
    for (const outside of [
      oneSecond(EARLIEST_LOCAL_TIME, -1),
      oneSecond(LATEST_LOCAL_TIME, 1),
      '0001-01-01 00:00:00',
      '0000-06-15 12:00:00',
    ]) {
      expect(issuesOf(JSON.stringify({ ...seed, ...change(outside) }))).toEqual([{ path, message: LOCAL_TIME_RANGE_MESSAGE }]);
    }
  });

  it('keeps the calendar and shape messages inside the range', () => {
    expect(issuesOf(JSON.stringify({ ...seed, callStartTime: '2021-02-30 10:00:00' }))).toEqual([
      { path: 'callStartTime', message: 'must be a real calendar time as yyyy-MM-dd HH:mm:ss' },
    ]);
    expect(issuesOf(JSON.stringify({ ...seed, callStartTime: '0001-1-1 00:00:00' }))).toEqual([
      { path: 'callStartTime', message: 'must be a real calendar time as yyyy-MM-dd HH:mm:ss' },
    ]);
  });

  it('states the range in its message', () => {
    expect(LOCAL_TIME_RANGE_MESSAGE).toBe(
      'must be between 0001-01-02 00:00:00 and 9999-12-30 23:59:59, so that its instant can be stored whatever the timezone',
    );
  });

  it('has a pattern that holds exactly the strings of the shape within the range', () => {
    const digit = fc.constantFrom(...'0123456789');
    const edgeYear = fc.constantFrom('0000', '0001', '0002', '9998', '9999', '2021');
    const shaped = fc
      .tuple(edgeYear, fc.array(digit, { minLength: 10, maxLength: 10 }))
      .map(([year, d]) => `${year}-${d[0]}${d[1]}-${d[2]}${d[3]} ${d[4]}${d[5]}:${d[6]}${d[7]}:${d[8]}${d[9]}`);
    fc.assert(
      fc.property(shaped, (time) => {
        expect(LOCAL_TIME_PATTERN.test(time)).toBe(time >= EARLIEST_LOCAL_TIME && time <= LATEST_LOCAL_TIME);
      }),
      { numRuns: 5_000 },
    );
    for (const time of [EARLIEST_LOCAL_TIME, LATEST_LOCAL_TIME]) expect(LOCAL_TIME_PATTERN.test(time)).toBe(true);
    for (const time of ['0001-01-01 23:59:59', '9999-12-31 00:00:00', '9999-12-30 23:59:60'])
      expect(LOCAL_TIME_PATTERN.test(time)).toBe(false);
  });

  it('is published with its range in the JSON Schema', () => {
    const callback = JSON.parse(renderSchemaDocument(SCHEMA_DOCUMENTS[0]));
    expect(callback.properties.callStartTime.pattern).toBe(LOCAL_TIME_PATTERN.source);
    expect(new RegExp(callback.properties.callEndTime.pattern).test(oneSecond(LATEST_LOCAL_TIME, 1))).toBe(false);
  });

  // The consumer writes instant.toISOString(): Postgres takes years 0001–9999 in that form, not 0000 or +010000.
  it.each([EARLIEST_LOCAL_TIME, LATEST_LOCAL_TIME])('%s is an instant within years 0001–9999 in every IANA zone', (time) => {
    const zones = [...Intl.supportedValuesOf('timeZone'), 'Etc/GMT+12', 'Etc/GMT-14', 'America/Sitka', 'America/Metlakatla', 'Asia/Manila'];
    expect(zones.length).toBeGreaterThan(300);
    const outside = zones.filter(
      (zone) => !/^(000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})-/.test(localTimeToInstant(time, zone).toISOString()),
    );
    expect(outside).toEqual([]);
  });
});

describe('readNumberToken', () => {
  it.each([
    ['0', 'exact'],
    ['-0', 'exact'],
    ['-0.0e-5', 'exact'],
    ['0e999', 'exact'],
    ['1.50', 'exact'],
    ['1e2', 'exact'],
    ['1E+2', 'exact'],
    ['0.1', 'exact'],
    ['1.5e-7', 'exact'],
    ['5e-324', 'exact'],
    ['2.2250738585072014e-308', 'exact'],
    ['0.30000000000000004', 'exact'],
    ['1.2345678901234567', 'exact'], // 17 digits that are the shortest form of their double
    ['9007199254740991', 'exact'],
    ['-9007199254740991', 'exact'],
    ['0.12345678901234567', 'inexact'], // 17 digits, read as 0.12345678901234566
    ['0.12345678901234567890123', 'inexact'], // 23 digits
    ['1.0000000000000001', 'inexact'], // read as 1
    ['4.9406564584124654e-324', 'inexact'], // read as 5e-324
    ['1e-400', 'inexact'], // underflows to 0
    ['-1e-400', 'inexact'],
    ['1e400', 'non-finite'],
    ['-1e400', 'non-finite'],
    ['1.7976931348623159e308', 'non-finite'],
    ['1'.repeat(400), 'non-finite'],
    ['1e308', 'unsafe-integer'],
    ['1.7976931348623157e308', 'unsafe-integer'],
    ['9007199254740992', 'unsafe-integer'],
    ['9007199254740993', 'unsafe-integer'],
    ['12345678901234567.5', 'unsafe-integer'],
    ['1e23', 'unsafe-integer'],
  ])('%s is %s', (token, reading) => {
    expect(readNumberToken(token)).toBe(reading);
  });

  it('finds every number JSON.stringify writes exact (what JavaScript senders send)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const token = JSON.stringify(value);
        expect(readNumberToken(token)).toBe(Number.isInteger(value) && !Number.isSafeInteger(value) ? 'unsafe-integer' : 'exact');
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('the fast path of the scan', () => {
  const token = fc
    .tuple(
      fc.boolean(),
      fc.stringMatching(/^(0|[1-9]\d{0,14})$/),
      fc.option(fc.stringMatching(/^\d{1,14}$/), { nil: undefined }),
      fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^\d{1,2}$/)), { nil: undefined }),
    )
    .map(
      ([negative, whole, fraction, exponent]) =>
        `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}${exponent ? exponent.join('') : ''}`,
    );

  it('passes unread only tokens that read exactly (or are unsafe integers, which the tree walk reports)', () => {
    fc.assert(
      fc.property(token, (text) => {
        if (scanNumberToken(text, 0) > 0) expect(['exact', 'unsafe-integer']).toContain(readNumberToken(text));
      }),
      { numRuns: 20_000 },
    );
    expect(scanNumberToken('123456789012345e99', 0)).toBe(18);
    expect(scanNumberToken('1234567890123456.5', 0)).toBe(-18);
    expect(scanNumberToken('1e100', 0)).toBe(-5);
    expect(scanNumberToken(`${'9'.repeat(300)},`, 0)).toBe(300);
    expect(scanNumberToken(`${'9'.repeat(301)}]`, 0)).toBe(-301);
    expect(scanNumberToken('[-1.5]', 1)).toBe(5);
  });

  it('finds no changed number in ordinary callbacks, and one among many', () => {
    expect(scanText(seedText, 64)).toEqual({ depth: 5, numbersChange: false });
    expect(scanText('{"a": [1, 2.5, -0, 1e2, 0.30000000000000004, 9007199254740993], "b": "1e400"}', 64)).toEqual({
      depth: 2,
      numbersChange: false,
    });
    expect(scanText('{"a": [1, 2.5, 1e400, 3]}', 64)).toEqual({ depth: 2, numbersChange: true });
    expect(scanText('{"a": 1e-400}', 64)).toEqual({ depth: 1, numbersChange: true });
  });
});

describe('inexactNumberIssues', () => {
  it('names the path of each changed number, past strings that look like JSON', () => {
    const text =
      '{"s": "1e400 [{,", "k\\"ey": {"x": [0, {"y": 1e400}, [1, -1e-400]]}, "z": 0.12345678901234567890123, "ok": [1e2, 9007199254740993]}';
    expect(inexactNumberIssues(text)).toEqual([
      { path: '["k\\"ey"].x[1].y', message: NON_FINITE_NUMBER_MESSAGE },
      { path: '["k\\"ey"].x[2][1]', message: INEXACT_NUMBER_MESSAGE },
      { path: 'z', message: INEXACT_NUMBER_MESSAGE },
    ]);
  });

  it('names the root of a bare number', () => {
    expect(inexactNumberIssues(' 1e400 ')).toEqual([{ path: '(root)', message: NON_FINITE_NUMBER_MESSAGE }]);
  });

  it('counts array elements after an empty object (found by the edge fuzzer: x[0].1 instead of x[0][2])', () => {
    expect(inexactNumberIssues('{"x":[[{},"",1e309]]}')).toEqual([{ path: 'x[0][2]', message: NON_FINITE_NUMBER_MESSAGE }]);
    expect(inexactNumberIssues('{"x":[{}, {"a": []}, "s", 1e309]}')).toEqual([{ path: 'x[3]', message: NON_FINITE_NUMBER_MESSAGE }]);
  });

  it('quotes names that dotted form cannot tell apart: empty, or holding . [ ] "', () => {
    expect(inexactNumberIssues('{"":[1e400],"a.b":{"[0]":1e400},"名前":1e400}')).toEqual([
      { path: '[""][0]', message: NON_FINITE_NUMBER_MESSAGE },
      { path: '["a.b"]["[0]"]', message: NON_FINITE_NUMBER_MESSAGE },
      { path: '名前', message: NON_FINITE_NUMBER_MESSAGE },
    ]);
  });
});

describe('decodeCallback refuses numbers that JSON.parse changes', () => {
  it.each([
    ['1e400 in an unknown field', '"extra": 1e400', 'extra', NON_FINITE_NUMBER_MESSAGE],
    ['-1e400 in an unknown nested field', '"extra": {"a": [-1e400]}', 'extra.a[0]', NON_FINITE_NUMBER_MESSAGE],
    ['a 23-digit decimal', '"score": 1.2345678901234567890123', 'score', INEXACT_NUMBER_MESSAGE],
    ['1e-400', '"tiny": 1e-400', 'tiny', INEXACT_NUMBER_MESSAGE],
    ['an unsafe integer (its own message)', '"big": 1e308', 'big', UNSAFE_INTEGER_MESSAGE],
  ])('%s', (_name, members, path, message) => {
    expect(issuesOf(withRaw(members))).toEqual([{ path, message }]);
  });

  it('in a known field, with one issue for the path (not also the schema type error)', () => {
    expect(issuesOf(seedText.replace('"callDuration": 14', '"callDuration": 1e400'))).toEqual([
      { path: 'callDuration', message: NON_FINITE_NUMBER_MESSAGE },
    ]);
    // 1e-400 would pass the schema as the count 0.
    expect(issuesOf(seedText.replace('"callDuration": 14', '"callDuration": 1e-400'))).toEqual([
      { path: 'callDuration', message: INEXACT_NUMBER_MESSAGE },
    ]);
  });

  it('sorted by path with the other issues', () => {
    const body = withRaw('"zz": 1e400, "aa": 1e-400, "mm": 9007199254740993').replace('"gender": "male"', '"gender": 1');
    expect(issuesOf(body)).toEqual([
      { path: 'aa', message: INEXACT_NUMBER_MESSAGE },
      { path: 'mm', message: UNSAFE_INTEGER_MESSAGE },
      { path: 'zz', message: NON_FINITE_NUMBER_MESSAGE },
      { path: 'gender', message: 'must be a string' },
    ]);
  });

  it('accepts numbers that read back as written', () => {
    const decoded = decodeCallback(withRaw('"n": [1.50, 1e2, -0, 5e-324, 0.1, 1.5e-7, 0.30000000000000004, 1.2345678901234567]'));
    expect(decoded.kind === 'accepted' && decoded.callback.n).toEqual([
      1.5, 100, -0, 5e-324, 0.1, 1.5e-7, 0.30000000000000004, 1.2345678901234567,
    ]);
  });
});
