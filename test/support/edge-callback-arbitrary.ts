import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../../services/ingress/callback-body/decode-callback-body.ts';
import { EARLIEST_LOCAL_TIME, LATEST_LOCAL_TIME, MAX_CALL_ID_LENGTH, MAX_INDEXED_TEXT_LENGTH } from '../../shared/callback/limits.ts';
import { seededRandom } from '../../kit/seeded-random.ts';
import { CALLBACK_FIELD_NAMES, callbackArb as realisticCallbackArb } from './chaos-callback-arbitrary.ts';
import { JsonNumber, serialize, type JsonModel } from './edge-json.ts';

/**
 * fast-check arbitraries for callbacks at the edges of every field: lengths at and just past the storage
 * bounds, numbers at the ends of JSON and of the integer ranges, local times at the ends of the calendar and
 * inside DST gaps and overlaps, tenant zones at the ends of the IANA offsets, text from every Unicode plane,
 * nulls, unknown fields nested to the depth limit, and bodies up to the size limit. Valid-looking and
 * invalid values are mixed on purpose: whether a case is valid is the product's decision, the test only
 * holds it to its promise either way.
 */

/** Zones at the extremes: ±14/−12, quarter-hour offsets, skipped days, large local-mean-time offsets. */
export const EDGE_ZONES = [
  'Pacific/Kiritimati', // +14, skipped 1994-12-31
  'Etc/GMT+12', // −12, the far west
  'Etc/GMT-14', // +14, no history at all
  'Pacific/Chatham', // +12:45 / +13:45
  'Asia/Kathmandu', // +05:45 since 1986
  'America/St_Johns', // −03:30 with DST
  'Pacific/Apia', // skipped 2011-12-30
  'Africa/Monrovia', // −00:44:30 until 1972
  'Asia/Manila', // LMT −15:56 until 1844, a skipped day
  'America/Sitka', // LMT +14:58 until 1867, a repeated day
  'Pacific/Guam', // LMT −14:21
  'Australia/Lord_Howe', // 30-minute DST
  'Europe/London',
  'Asia/Tokyo',
  'UTC',
] as const;

/** Wall-clock times around each zone's transitions (gaps, overlaps, skipped and repeated days). */
const ZONE_MOMENTS: Record<string, string[]> = {
  'Pacific/Kiritimati': ['1994-12-30 23:59:59', '1994-12-31 00:00:00', '1994-12-31 12:00:00', '1994-12-31 23:59:59', '1995-01-01 00:00:00'],
  'Pacific/Chatham': [
    '2024-09-29 02:44:59',
    '2024-09-29 02:45:00',
    '2024-09-29 03:15:00',
    '2024-09-29 03:45:00',
    '2024-04-07 02:45:00',
    '2024-04-07 03:15:00',
    '2024-04-07 03:44:59',
  ],
  'Asia/Kathmandu': ['1985-12-31 23:59:59', '1986-01-01 00:00:00', '1986-01-01 00:14:59', '1986-01-01 00:15:00'],
  'America/St_Johns': [
    '2024-03-10 01:59:59',
    '2024-03-10 02:00:00',
    '2024-03-10 02:30:00',
    '2024-03-10 03:00:00',
    '2024-11-03 00:59:59',
    '2024-11-03 01:00:00',
    '2024-11-03 01:30:00',
    '2024-11-03 01:59:59',
  ],
  'Pacific/Apia': ['2011-12-29 23:59:59', '2011-12-30 00:00:00', '2011-12-30 12:00:00', '2011-12-30 23:59:59', '2011-12-31 00:00:00'],
  'Africa/Monrovia': ['1972-01-06 23:59:59', '1972-01-07 00:00:00', '1972-01-07 00:44:29', '1972-01-07 00:44:30', '1882-01-01 00:00:00'],
  'Asia/Manila': ['1844-12-30 23:59:59', '1844-12-31 00:00:00', '1844-12-31 12:00:00', '1845-01-01 00:00:00'],
  'America/Sitka': ['1867-10-18 00:00:00', '1867-10-18 12:00:00', '1867-10-19 00:00:00', '1867-10-19 12:00:00'],
  'Pacific/Guam': ['1844-12-30 12:00:00', '1844-12-31 12:00:00', '1900-12-31 23:59:59', '1901-01-01 00:00:00'],
  'Australia/Lord_Howe': [
    '2024-10-06 01:59:59',
    '2024-10-06 02:00:00',
    '2024-10-06 02:15:00',
    '2024-10-06 02:30:00',
    '2024-04-07 01:30:00',
    '2024-04-07 01:45:00',
    '2024-04-07 01:59:59',
  ],
  'Europe/London': [
    '2024-03-31 00:59:59',
    '2024-03-31 01:00:00',
    '2024-03-31 01:30:00',
    '2024-03-31 02:00:00',
    '2024-10-27 01:00:00',
    '2024-10-27 01:30:00',
    '2024-10-27 01:59:59',
    '1847-12-01 00:00:00',
  ],
  'Asia/Tokyo': ['1948-05-02 00:30:00', '1951-09-08 23:30:00', '1887-12-31 23:59:59', '1888-01-01 00:00:00'],
};

const secondAfter = (text: string, seconds: number) => {
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  date.setUTCSeconds(date.getUTCSeconds() + seconds);
  return date.toISOString().slice(0, 19).replace('T', ' ');
};

/** The calendar's ends, the bounds and one second outside them, leap days real and not, and broken shapes. */
export const EDGE_TIMES = [
  '0001-01-01 00:00:00',
  '0001-01-01 23:59:59',
  EARLIEST_LOCAL_TIME,
  secondAfter(EARLIEST_LOCAL_TIME, -1),
  secondAfter(EARLIEST_LOCAL_TIME, 1),
  '0001-12-31 23:59:59',
  '0004-02-29 12:00:00',
  '0099-12-31 23:59:59',
  '0100-01-01 00:00:00',
  '0100-02-29 00:00:00',
  '1582-10-10 00:00:00',
  '1899-12-31 23:59:59',
  '1900-02-29 00:00:00',
  '1969-12-31 23:59:59',
  '1970-01-01 00:00:00',
  '2000-02-29 00:00:00',
  '2024-02-29 23:59:59',
  '2038-01-19 03:14:08',
  '2100-02-29 00:00:00',
  '9996-02-29 12:00:00',
  LATEST_LOCAL_TIME,
  secondAfter(LATEST_LOCAL_TIME, 1),
  secondAfter(LATEST_LOCAL_TIME, -1),
  '9999-12-31 23:59:59',
];
/** Local times that are not one: shapes and calendar dates that do not exist. */
export const BROKEN_TIMES = [
  '0000-01-01 00:00:00',
  '2024-01-01 24:00:00',
  '2016-12-31 23:59:60',
  '2024-13-01 00:00:00',
  '2024-04-31 00:00:00',
  '2024-01-01T00:00:00',
  '２０２４-01-01 00:00:00',
  '',
];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const formatLocal = (date: Date) =>
  `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
  `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
const anyTimeArb = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map(formatLocal);
const recentTimeArb = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true })
  .map(formatLocal);
const ALL_ZONE_MOMENTS = Object.values(ZONE_MOMENTS).flat();

function localTimeArb(zone: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 30, arbitrary: recentTimeArb },
    { weight: 10, arbitrary: fc.constantFrom(...EDGE_TIMES) },
    { weight: 20, arbitrary: ZONE_MOMENTS[zone] ? fc.constantFrom(...ZONE_MOMENTS[zone]!) : recentTimeArb },
    { weight: 5, arbitrary: fc.constantFrom(...ALL_ZONE_MOMENTS) },
    { weight: 5, arbitrary: anyTimeArb },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_TIMES) },
  );
}

/** Code-point ranges by plane and script, [first, last] inclusive. */
export const ALPHABETS = {
  ascii: [[0x20, 0x7e]],
  control: [
    [0x01, 0x1f],
    [0x7f, 0x9f],
  ],
  latin1: [[0xa0, 0xff]],
  cjk: [
    [0x4e00, 0x9fff],
    [0x3040, 0x30ff],
  ],
  astral: [
    [0x1f300, 0x1faff],
    [0x20000, 0x2a6df],
  ],
  rtl: [
    [0x0590, 0x05ff],
    [0x0600, 0x06ff],
    [0x200e, 0x200f],
    [0x202a, 0x202e],
  ],
  combining: [
    [0x0300, 0x036f],
    [0x0041, 0x005a],
  ],
  nearFFFF: [
    [0xfff0, 0xffff],
    [0x10000, 0x10010],
    [0x10fff0, 0x10ffff],
  ],
  privateUse: [
    [0xe000, 0xf8ff],
    [0xf0000, 0xffffd],
    [0x100000, 0x10fffd],
  ],
} as const satisfies Record<string, ReadonlyArray<readonly [number, number]>>;
export type Alphabet = keyof typeof ALPHABETS;
const ALPHABET_NAMES = Object.keys(ALPHABETS) as Alphabet[];

/**
 * Exactly `length` UTF-16 code units of random characters (incompressible, so Postgres cannot squeeze a
 * long value under an index's size limit): astral characters count two, a final odd unit is ASCII.
 */
export function textOfLength(length: number, alphabets: readonly Alphabet[], seed: number): string {
  const random = seededRandom(seed);
  const ranges = alphabets.flatMap((name): ReadonlyArray<readonly [number, number]> => ALPHABETS[name]);
  const parts: string[] = [];
  let units = 0;
  while (units < length) {
    const [first, last] = ranges[Math.floor(random() * ranges.length)]!;
    let char = String.fromCodePoint(first + Math.floor(random() * (last - first + 1)));
    if (units + char.length > length) char = String.fromCharCode(0x61 + Math.floor(random() * 26));
    parts.push(char);
    units += char.length;
  }
  return parts.join('');
}

const alphabetsArb = fc.uniqueArray(fc.constantFrom(...ALPHABET_NAMES), { minLength: 1, maxLength: 3 });
const textOfLengthArb = (lengths: fc.Arbitrary<number>) =>
  fc
    .record({ length: lengths, alphabets: alphabetsArb, seed: fc.integer() })
    .map(({ length, alphabets, seed }) => textOfLength(length, alphabets, seed));

/** Text Postgres cannot store, put somewhere inside an otherwise ordinary string. */
const UNSTORABLE = ['\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\udfff\ud800'];
const withUnstorableArb = (base: fc.Arbitrary<string>) =>
  fc.tuple(base, fc.constantFrom(...UNSTORABLE), fc.nat()).map(([text, bad, at]) => {
    const cut = text.length === 0 ? 0 : at % (text.length + 1);
    return text.slice(0, cut) + bad + text.slice(cut);
  });

const SHORT_TEXT = [
  '',
  ' ',
  'a',
  '0',
  'null',
  '\ufeff',
  'e\u0301',
  '😀',
  '👨‍👩‍👧‍👦',
  '🇯🇵',
  '\u{10ffff}',
  '\uffff',
  '\ufffe',
  '\ue000',
  'עברית\u202e',
  '話中',
  "'; drop table calls; --",
  '\u2028\u2029',
];
const shortTextArb = fc.oneof(fc.constantFrom(...SHORT_TEXT), textOfLengthArb(fc.integer({ min: 0, max: 40 })));

/** Text bound for a btree-indexed column: phone numbers, the contact's mobile, label names. */
const indexedLengths = fc.constantFrom(0, 1, MAX_INDEXED_TEXT_LENGTH - 1, MAX_INDEXED_TEXT_LENGTH);
const indexedOverLengths = fc.constantFrom(MAX_INDEXED_TEXT_LENGTH + 1, 1_000, 6_000);
export const indexedTextArb = fc.oneof(
  { weight: 60, arbitrary: shortTextArb },
  { weight: 12, arbitrary: textOfLengthArb(indexedLengths) },
  { weight: 3, arbitrary: textOfLengthArb(indexedOverLengths) },
  { weight: 1, arbitrary: withUnstorableArb(shortTextArb) },
);
const callIdArb = fc.oneof(
  { weight: 20, arbitrary: fc.uuid() },
  { weight: 20, arbitrary: textOfLengthArb(fc.constantFrom(1, 2, MAX_CALL_ID_LENGTH - 1, MAX_CALL_ID_LENGTH)) },
  { weight: 2, arbitrary: textOfLengthArb(fc.constantFrom(MAX_CALL_ID_LENGTH + 1, 0)) },
  { weight: 1, arbitrary: withUnstorableArb(fc.uuid()) },
);
/** Free text in columns without an index: any length the body allows. */
const freeTextArb = fc.oneof(
  { weight: 60, arbitrary: shortTextArb },
  { weight: 10, arbitrary: textOfLengthArb(fc.constantFrom(MAX_INDEXED_TEXT_LENGTH + 1, 3_000, 20_000)) },
  { weight: 1, arbitrary: withUnstorableArb(shortTextArb) },
);

/** Literals at the ends of what JSON and a double can say, plus the integer range's ends. */
export const EDGE_NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '0.0',
  '-0.0',
  '1.0',
  '1e3',
  '1E+2',
  '100e-2',
  '0e0',
  '9007199254740991',
  '-9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '18446744073709551616',
  '0.1',
  '0.30000000000000004',
  '0.1000000000000000055511151231257827',
  '123456789012345',
  '1234567890123456.7',
  '1.2345678901234567',
  '12345678901234567890123',
  '12345678901234567890.123',
  '3.141592653589793238462643383279',
  '1e308',
  '1.7976931348623157e308',
  '1e309',
  '1e400',
  '-1e400',
  '5e-324',
  '2.2250738585072014e-308',
  '1e-400',
  '-1e-400',
  '1e21',
  '1.5e300',
  '0.000001',
  '1e-7',
];
const decimalArb = fc
  .record({
    negative: fc.boolean(),
    digits: fc.integer({ min: 1, max: 30 }),
    point: fc.nat(),
    seed: fc.integer(),
    exponent: fc.option(fc.integer({ min: -420, max: 420 })),
  })
  .map(({ negative, digits, point, seed, exponent }) => {
    const random = seededRandom(seed);
    let text = Array.from({ length: digits }, (_, i) => String(Math.floor(random() * 10) || (i === 0 ? 1 : 0))).join('');
    const at = point % (digits + 1);
    if (at > 0 && at < digits) text = `${text.slice(0, at)}.${text.slice(at)}`;
    return new JsonNumber(`${negative ? '-' : ''}${text}${exponent === null ? '' : `e${exponent}`}`);
  });
const edgeNumberArb: fc.Arbitrary<JsonModel> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS).map((text) => new JsonNumber(text)) },
  { weight: 2, arbitrary: decimalArb },
  { weight: 1, arbitrary: fc.double() },
);

/** A count, id or duration: the range's ends, integer spellings, and values just outside. */
const countArb: fc.Arbitrary<JsonModel> = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom<JsonModel>(0, 1, 2, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 31, 2 ** 32) },
  { weight: 30, arbitrary: fc.nat(1_000) },
  { weight: 10, arbitrary: fc.constantFrom('1.0', '1e3', '-0', '0.0', '9007199254740991.0').map((text) => new JsonNumber(text)) },
  { weight: 1, arbitrary: fc.constantFrom<JsonModel>(-1, 1.5, new JsonNumber('9007199254740992'), new JsonNumber('1e400'), '1', true) },
);
const textOrIntegerArb = (text: fc.Arbitrary<string>): fc.Arbitrary<JsonModel> =>
  fc.oneof(
    { weight: 40, arbitrary: text },
    { weight: 10, arbitrary: fc.constantFrom<JsonModel>(0, Number.MAX_SAFE_INTEGER, 819012345678) },
    { weight: 1, arbitrary: fc.constantFrom<JsonModel>(new JsonNumber('9007199254740992'), -1, 1.5) },
  );

/** A nested object or array chain whose deepest bracket sits at `depth` counted from the body. */
function chain(depth: number, kind: 'object' | 'array'): JsonModel {
  let value: JsonModel = kind === 'object' ? {} : [];
  for (let level = 1; level < depth; level++) value = kind === 'object' ? { d: value } : [value];
  return value;
}
const EXTRA_KEYS = ['vendorExtra', 'x', '', 'a.b', 'arr[0]', '日本語', '😀', ' spaced key ', 'constructor', 'toString', 'callid', 'CallId'];
const extraKeyArb = fc.oneof(fc.constantFrom(...EXTRA_KEYS), textOfLengthArb(fc.constantFrom(1, 64, 1_000)));
const extraValueArb: fc.Arbitrary<JsonModel> = fc.letrec<{ value: JsonModel }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 40, arbitrary: edgeNumberArb },
    { weight: 20, arbitrary: shortTextArb },
    { weight: 10, arbitrary: fc.constantFrom<JsonModel>(null, true, false, [], {}) },
    { weight: 1, arbitrary: withUnstorableArb(shortTextArb) },
    { weight: 10, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 10, arbitrary: fc.dictionary(extraKeyArb, tie('value'), { maxKeys: 3 }) },
  ),
})).value;
/** Extra fields at `baseDepth` (the body is 1): edge values, and chains that end at the depth limit or past it. */
const extrasArb = (baseDepth: number): fc.Arbitrary<Record<string, JsonModel>> =>
  fc.oneof(
    { weight: 120, arbitrary: fc.constant({}) },
    { weight: 40, arbitrary: fc.dictionary(extraKeyArb, extraValueArb, { minKeys: 1, maxKeys: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(-1, 0, 1, 2), fc.constantFrom<'object' | 'array'>('object', 'array'))
        .map(([beyond, kind]) => ({ deep: chain(MAX_JSON_DEPTH + beyond - baseDepth, kind) })),
    },
  );

/** A field that may be given, null or absent; undefined means absent. */
const nullish = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant(undefined) });
/** Required: almost always given, sometimes null or missing. */
const required = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof({ weight: 150, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant(undefined) });
/** An array: empty, a few items, and now and then a null item or a non-array. */
const listArb = (item: fc.Arbitrary<JsonModel>, maxLength = 4): fc.Arbitrary<JsonModel> =>
  fc.oneof(
    { weight: 60, arbitrary: fc.array(item, { maxLength }) },
    { weight: 1, arbitrary: fc.array(fc.oneof(item, fc.constant(null)), { minLength: 1, maxLength }) },
    { weight: 1, arbitrary: fc.constantFrom<JsonModel>({}, 'text', 0) },
  );

function object(shape: Record<string, fc.Arbitrary<JsonModel | null | undefined>>, baseDepth: number): fc.Arbitrary<JsonModel> {
  return fc.tuple(fc.record(shape), extrasArb(baseDepth)).map(([known, extras]) => {
    const out: Record<string, JsonModel> = { ...extras };
    for (const [key, value] of Object.entries(known)) if (value !== undefined) out[key] = value;
    return out;
  });
}

const lineArb = (zone: string) =>
  object(
    {
      callId: nullish(shortTextArb),
      instanceId: nullish(countArb),
      robotId: nullish(countArb),
      robotDefId: nullish(countArb),
      dialogueRole: nullish(countArb),
      dialogueStartTime: nullish(localTimeArb(zone)),
      dialogueContent: nullish(freeTextArb),
      dialogueRecordUrl: nullish(shortTextArb),
      matchType: nullish(countArb),
      matchResult: nullish(shortTextArb),
      matchName: nullish(shortTextArb),
    },
    5,
  );

const instanceArb = (zone: string) =>
  object(
    {
      callId: nullish(shortTextArb),
      instanceId: nullish(countArb),
      robotId: nullish(countArb),
      robotDefId: nullish(countArb),
      robotName: nullish(freeTextArb),
      dialogueStartTime: nullish(localTimeArb(zone)),
      dialogueEndTime: nullish(localTimeArb(zone)),
      dialogueDuration: nullish(countArb),
      dialogueRecordUrl: nullish(shortTextArb),
      dialogueRound: nullish(countArb),
      intentionLabelKey: nullish(shortTextArb),
      intentionLabelName: nullish(freeTextArb),
      labelInfoList: nullish(listArb(object({ name: nullish(indexedTextArb) }, 5))),
      dialogueContentList: nullish(listArb(lineArb(zone))),
    },
    3,
  );

const variateArb = (baseDepth: number) =>
  object({ key: nullish(shortTextArb), type: nullish(shortTextArb), value: nullish(textOrIntegerArb(freeTextArb)) }, baseDepth);

const contactArb = object(
  {
    name: nullish(freeTextArb),
    mobile: nullish(textOrIntegerArb(indexedTextArb)),
    companyName: nullish(freeTextArb),
    remark: nullish(freeTextArb),
    variates: nullish(fc.oneof(variateArb(3), listArb(variateArb(4)))),
  },
  2,
);

/** One case: the tenant's zone and the body as a JSON model (usually an object, now and then not). */
export interface EdgeCase {
  zone: string;
  body: JsonModel;
}

export const zoneArb = fc.constantFrom(...EDGE_ZONES);

const CALLBACK_FIELDS = [...CALLBACK_FIELD_NAMES, 'vendorExtra'];
/** The realistic callbacks of the existing fuzzer, as the base that one edge field goes into. */
const plainCallbackArb: fc.Arbitrary<JsonModel> = realisticCallbackArb.map((callback) => callback as JsonModel);

function callbackArb(zone: string): fc.Arbitrary<JsonModel> {
  const times = localTimeArb(zone);
  return object(
    {
      callId: required(callIdArb),
      workflow: required(countArb),
      fromNumber: required(textOrIntegerArb(indexedTextArb)),
      toNumber: required(textOrIntegerArb(indexedTextArb)),
      relayNumber: required(textOrIntegerArb(indexedTextArb)),
      callStartTime: required(times),
      callEndTime: required(times),
      callDuration: required(countArb),
      callRecordUrl: nullish(shortTextArb),
      customerProvince: nullish(shortTextArb),
      customerCity: nullish(shortTextArb),
      routerId: nullish(countArb),
      routerName: nullish(shortTextArb),
      transferAgentFlag: nullish(countArb),
      agentId: nullish(textOrIntegerArb(shortTextArb)),
      agentName: nullish(shortTextArb),
      queueId: nullish(textOrIntegerArb(shortTextArb)),
      queueName: nullish(shortTextArb),
      robotNames: nullish(listArb(freeTextArb)),
      labelInfos: nullish(listArb(indexedTextArb)),
      instances: nullish(listArb(instanceArb(zone), 3)),
      variables: nullish(
        listArb(object({ variableName: nullish(shortTextArb), variableValue: nullish(textOrIntegerArb(freeTextArb)) }, 3)),
      ),
      intentionLabelKey: nullish(shortTextArb),
      intentionLabelName: nullish(freeTextArb),
      allRecordUrl: nullish(listArb(object({ recordUrl: nullish(shortTextArb), recordType: nullish(shortTextArb) }, 3))),
      adTaskId: nullish(countArb),
      adTaskName: nullish(freeTextArb),
      contactDetailRel: nullish(contactArb),
      callResult: nullish(countArb),
      calledResult: nullish(countArb),
      agentCallDuration: nullish(countArb),
      hangupCause: nullish(freeTextArb),
      hangupBy: nullish(countArb),
      customerNumber: nullish(textOrIntegerArb(indexedTextArb)),
      remark: nullish(freeTextArb),
      taskContactBatchName: nullish(shortTextArb),
      userAnsweredFlag: nullish(countArb),
      userAnsweredCount: nullish(countArb),
      userAnsweredEffectiveCount: nullish(countArb),
      isFinalCall: nullish(countArb),
      gender: nullish(fc.oneof(fc.constantFrom('male', 'female', 'unknown'), shortTextArb)),
      vendorExtra: fc.oneof(fc.constant(undefined), extraValueArb),
    },
    1,
  ).map((callback) => {
    // Start and end drawn independently are out of order half the time; put most of them in order.
    const body = callback as Record<string, JsonModel>;
    const { callStartTime: start, callEndTime: end } = body;
    if (typeof start === 'string' && typeof end === 'string' && start > end && start.length === end.length) {
      if (start.charCodeAt(0) % 4 !== 0) [body.callStartTime, body.callEndTime] = [end, start];
    }
    return body;
  });
}

/**
 * A realistic callback with one top-level field (and all it holds) taken from an edge callback: most of
 * these are accepted, and a failure points at one field.
 */
const oneEdgeArb = (zone: string) =>
  fc.tuple(plainCallbackArb, callbackArb(zone), fc.constantFrom(...CALLBACK_FIELDS)).map(([plain, edge, field]) => {
    const body: Record<string, JsonModel> = { ...(plain as Record<string, JsonModel>) };
    const edgeBody = edge as Record<string, JsonModel>;
    if (field in edgeBody) body[field] = edgeBody[field]!;
    else delete body[field];
    return body;
  });

export const edgeCaseArb: fc.Arbitrary<EdgeCase> = zoneArb.chain((zone) =>
  fc
    .oneof(
      { weight: 20, arbitrary: oneEdgeArb(zone) },
      { weight: 20, arbitrary: callbackArb(zone) },
      { weight: 1, arbitrary: fc.constantFrom<JsonModel>([], null, 'callback', 0) },
    )
    .map((body) => printable({ zone, body })),
);

/**
 * Bodies at the size limit: one list grown to thousands of tiny items, or one free text grown long, then
 * padded in a free-text field to exactly the target size in bytes (just under, at, and one past the limit).
 */
export type BulkKind =
  'labelInfos' | 'robotNames' | 'lines' | 'labelInfoList' | 'variables' | 'allRecordUrl' | 'remark' | 'dialogueContent';
const BULK_KINDS: BulkKind[] = [
  'labelInfos',
  'robotNames',
  'lines',
  'labelInfoList',
  'variables',
  'allRecordUrl',
  'remark',
  'dialogueContent',
];

export function bulkCaseArb(bodyLimitBytes: number): fc.Arbitrary<EdgeCase & { text: string }> {
  return fc
    .record({
      zone: zoneArb,
      kind: fc.constantFrom(...BULK_KINDS),
      target: fc.constantFrom(bodyLimitBytes, bodyLimitBytes - 1, bodyLimitBytes + 1, Math.floor(bodyLimitBytes / 2)),
      // JSON escapes control characters six bytes each: they would overshoot the target size.
      alphabets: alphabetsArb.filter((names) => !names.includes('control')),
      seed: fc.integer(),
    })
    .map(({ zone, kind, target, alphabets, seed }) => {
      const body: Record<string, JsonModel> = {
        callId: `bulk-${kind}-${target}`,
        workflow: 4,
        fromNumber: '0312345678',
        toNumber: '09012345678',
        relayNumber: '0501234567',
        callStartTime: '2024-02-29 23:59:30',
        callEndTime: '2024-03-01 00:00:10',
        callDuration: 40,
      };
      // Item counts chosen so the list alone takes about 90% of the target; padding fills the rest.
      const fill = Math.floor(target * 0.9);
      const many = <T extends JsonModel>(itemBytes: number, item: (i: number) => T) =>
        Array.from({ length: Math.floor(fill / itemBytes) }, (_, i) => item(i));
      const tiny = (i: number) => (i % 3 === 0 ? '' : String.fromCharCode(0x61 + (i % 26)));
      if (kind === 'labelInfos') body.labelInfos = many(4, tiny);
      if (kind === 'robotNames') body.robotNames = many(4, tiny);
      if (kind === 'lines') body.instances = [{ instanceId: 1, dialogueContentList: many(3, () => ({})) }];
      if (kind === 'labelInfoList') body.instances = [{ labelInfoList: many(12, (i) => ({ name: tiny(i) })) }];
      if (kind === 'variables') body.variables = many(3, () => ({}));
      if (kind === 'allRecordUrl') body.allRecordUrl = many(3, () => ({}));
      if (kind === 'remark') body.remark = textOfLength(Math.floor(fill / 4), alphabets, seed);
      if (kind === 'dialogueContent')
        body.instances = [{ dialogueContentList: [{ dialogueContent: textOfLength(Math.floor(fill / 4), alphabets, seed) }] }];
      body.hangupCause = '';
      const missing = target - Buffer.byteLength(serialize(body));
      body.hangupCause = 'x'.repeat(Math.max(0, missing));
      const text = serialize(body);
      return printable({ zone, body, text }, text);
    });
}

/** How fast-check prints a counterexample: the zone and the body as sent, cut short past a few kilobytes. */
export function printable<T extends EdgeCase>(edgeCase: T, text = serialize(edgeCase.body)): T {
  const shown = text.length > 4_000 ? `${text.slice(0, 4_000)}… (${Buffer.byteLength(text)} bytes)` : text;
  return Object.assign(edgeCase, { [fc.toStringMethod]: () => `zone ${edgeCase.zone}, body ${shown}` });
}
