import fc from 'fast-check';

/**
 * fast-check arbitraries for the callback (the field table of docs/callback.schema.json), written from the spec, not from the zod
 * schema: structurally valid callbacks with hostile but storable text, extra unknown fields, both ⚠
 * forms; the normalisation the spec promises (a safe-integer number where a string is documented is kept
 * as its decimal string); and mutations that each break one rule.
 */
export const HOSTILE_TEXT = [
  "'; drop table calls; --",
  "' or '1'='1",
  "\"); delete from tenants where ('1'='1",
  "\\'; select pg_sleep(10); --",
  "$1 $$ $tag$ e'\\x00'",
  '\u0001\u0002\u001b[31m\u007f\u0085',
  '\u202e\u200b\ufeff',
  '😀👍🏽‍',
  '\\u0000',
  '%s%n%x{}{{}}',
  '<script>alert(1)</script>',
];

const STORABLE = (text: string) => !/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

export const textArb = fc
  .oneof({ weight: 5, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_TEXT) })
  .filter(STORABLE);
const countArb = fc.oneof(fc.nat(100), fc.maxSafeNat());
const textOrIntegerArb = fc.oneof({ weight: 3, arbitrary: textArb }, { weight: 1, arbitrary: fc.maxSafeNat() });
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const formatLocal = (date: Date) =>
  `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
  `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
const dateArb = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true });
const localTimeArb = dateArb.map(formatLocal);
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 5 });
const optionalRecord = (shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(Object.fromEntries(Object.entries(shape).map(([key, arb]) => [key, nullable(arb)])), { requiredKeys: [] });

const lineArb = optionalRecord({
  callId: textArb,
  instanceId: countArb,
  robotId: countArb,
  robotDefId: countArb,
  dialogueRole: countArb,
  dialogueStartTime: localTimeArb,
  dialogueContent: textArb,
  dialogueRecordUrl: textArb,
  matchType: countArb,
  matchResult: textArb,
  matchName: textArb,
});

const instanceArb = optionalRecord({
  callId: textArb,
  instanceId: countArb,
  robotId: countArb,
  robotDefId: countArb,
  robotName: textArb,
  dialogueStartTime: localTimeArb,
  dialogueEndTime: localTimeArb,
  dialogueDuration: countArb,
  dialogueRecordUrl: textArb,
  dialogueRound: countArb,
  intentionLabelKey: textArb,
  intentionLabelName: textArb,
  labelInfoList: fc.array(optionalRecord({ name: textArb }), { maxLength: 3 }),
  dialogueContentList: fc.array(lineArb, { maxLength: 5 }),
});

const variateArb = optionalRecord({ key: textArb, type: textArb, value: textOrIntegerArb });
/** The callback's documented top-level fields, written from its field table (not taken from the schema). */
export const CALLBACK_FIELD_NAMES = [
  'callId',
  'workflow',
  'fromNumber',
  'toNumber',
  'relayNumber',
  'callStartTime',
  'callEndTime',
  'callDuration',
  'callRecordUrl',
  'customerProvince',
  'customerCity',
  'routerId',
  'routerName',
  'transferAgentFlag',
  'agentId',
  'agentName',
  'queueId',
  'queueName',
  'robotNames',
  'labelInfos',
  'instances',
  'variables',
  'intentionLabelKey',
  'intentionLabelName',
  'allRecordUrl',
  'adTaskId',
  'adTaskName',
  'contactDetailRel',
  'callResult',
  'calledResult',
  'agentCallDuration',
  'hangupCause',
  'hangupBy',
  'customerNumber',
  'remark',
  'taskContactBatchName',
  'userAnsweredFlag',
  'userAnsweredCount',
  'userAnsweredEffectiveCount',
  'isFinalCall',
  'gender',
] as const;
const KNOWN = new Set<string>(CALLBACK_FIELD_NAMES);
/** Unknown extra fields (kept as sent): JSON values with storable text and exactly representable integers. */
const extraValueArb = fc.jsonValue({ maxDepth: 2 }).filter(function storable(value: unknown): boolean {
  if (typeof value === 'string') return STORABLE(value);
  if (typeof value === 'number') return Number.isSafeInteger(value) || !Number.isInteger(value);
  if (Array.isArray(value)) return value.every(storable);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => STORABLE(k) && k !== '__proto__' && storable(v));
  return true;
});
const extrasArb = fc.dictionary(
  textArb.filter((key) => !KNOWN.has(key) && key !== '__proto__'),
  extraValueArb,
  { maxKeys: 3 },
);

export type GeneratedCallback = Record<string, unknown> & { callId: string };

export const callbackArb: fc.Arbitrary<GeneratedCallback> = fc
  .record({
    required: fc.record({
      callId: textArb.filter((id) => id.length > 0),
      workflow: countArb,
      fromNumber: textOrIntegerArb,
      toNumber: textOrIntegerArb,
      relayNumber: textOrIntegerArb,
      times: fc.tuple(dateArb, dateArb).map(([a, b]) => (a <= b ? [a, b] : [b, a]).map(formatLocal)),
      callDuration: countArb,
    }),
    optional: optionalRecord({
      callRecordUrl: textArb,
      customerProvince: textArb,
      customerCity: textArb,
      routerId: countArb,
      routerName: textArb,
      transferAgentFlag: countArb,
      agentId: textOrIntegerArb,
      agentName: textArb,
      queueId: textOrIntegerArb,
      queueName: textArb,
      robotNames: fc.array(textArb, { maxLength: 3 }),
      labelInfos: fc.array(textArb, { maxLength: 3 }),
      instances: fc.array(instanceArb, { maxLength: 3 }),
      variables: fc.array(optionalRecord({ variableName: textArb, variableValue: textOrIntegerArb }), { maxLength: 3 }),
      intentionLabelKey: textArb,
      intentionLabelName: textArb,
      allRecordUrl: fc.array(optionalRecord({ recordUrl: textArb, recordType: textArb }), { maxLength: 3 }),
      adTaskId: countArb,
      adTaskName: textArb,
      contactDetailRel: optionalRecord({
        name: textArb,
        mobile: textOrIntegerArb,
        companyName: textArb,
        remark: textArb,
        variates: fc.oneof(variateArb, fc.array(variateArb, { maxLength: 3 })),
      }),
      callResult: countArb,
      calledResult: countArb,
      agentCallDuration: countArb,
      hangupCause: textArb,
      hangupBy: countArb,
      customerNumber: textOrIntegerArb,
      remark: textArb,
      taskContactBatchName: textArb,
      userAnsweredFlag: countArb,
      userAnsweredCount: countArb,
      userAnsweredEffectiveCount: countArb,
      isFinalCall: countArb,
      gender: textArb,
    }),
    extras: extrasArb,
  })
  .map(({ required: { times, ...required }, optional, extras }) => ({
    ...extras,
    ...required,
    callStartTime: times[0]!,
    callEndTime: times[1]!,
    ...optional,
  }));

/** What the spec says the topic and the raw copy carry: numbers sent where strings are documented become strings. */
export function expectedNormalisation(sent: GeneratedCallback): Record<string, unknown> {
  const copy = structuredClone(sent) as Record<string, unknown>;
  const asText = (holder: Record<string, unknown> | null | undefined, key: string) => {
    if (holder && typeof holder[key] === 'number') holder[key] = String(holder[key]);
  };
  for (const key of ['fromNumber', 'toNumber', 'relayNumber', 'agentId', 'queueId', 'customerNumber']) asText(copy, key);
  for (const variable of (copy.variables as Record<string, unknown>[] | null) ?? []) asText(variable, 'variableValue');
  const contact = copy.contactDetailRel as Record<string, unknown> | null | undefined;
  asText(contact, 'mobile');
  const variates = contact?.variates;
  for (const variate of Array.isArray(variates) ? variates : variates ? [variates] : [])
    asText(variate as Record<string, unknown>, 'value');
  return copy;
}

/** One rule broken: [what was done, the body as sent]. Each must be answered 4xx and never stored. */
const REQUIRED = ['callId', 'workflow', 'fromNumber', 'toNumber', 'relayNumber', 'callStartTime', 'callEndTime', 'callDuration'];
const COUNTS = ['workflow', 'callDuration', 'routerId', 'adTaskId', 'hangupBy', 'isFinalCall'];
const TIMES = ['callStartTime', 'callEndTime'];
const badCountArb = fc.constantFrom<unknown>(-1, 1.5, '3', true, [], {}, 2 ** 53 + 2);
const badTimeArb = fc.constantFrom('2021-02-30 10:00:00', '2021-5-1 1:0:0', '2021-05-29T10:23:43', '', 'yesterday', '2021-05-29 24:00:00');

export const mutantArb: fc.Arbitrary<[string, string]> = fc.tuple(callbackArb, fc.nat()).chain(([valid, n]) =>
  fc.oneof(
    fc.constantFrom(...REQUIRED).map((key): [string, string] => {
      const { [key]: _removed, ...rest } = valid;
      return [`${key} removed`, JSON.stringify(rest)];
    }),
    fc.constantFrom(...REQUIRED).map((key): [string, string] => [`${key} null`, JSON.stringify({ ...valid, [key]: null })]),
    fc
      .tuple(fc.constantFrom(...COUNTS), badCountArb)
      .map(([key, bad]): [string, string] => [`${key} = ${JSON.stringify(bad)}`, JSON.stringify({ ...valid, [key]: bad })]),
    fc
      .tuple(fc.constantFrom(...TIMES), badTimeArb)
      .map(([key, bad]): [string, string] => [`${key} = ${bad}`, JSON.stringify({ ...valid, [key]: bad })]),
    fc.constant<[string, string]>([
      'end before start',
      JSON.stringify({ ...valid, callStartTime: '2021-05-29 10:23:43', callEndTime: '2021-05-29 10:23:42' }),
    ]),
    fc
      .constantFrom<unknown>({}, 'text', 7)
      .map((other): [string, string] => [`instances = ${JSON.stringify(other)}`, JSON.stringify({ ...valid, instances: other })]),
    fc
      .constantFrom('\u0000', '\ud800', '\udfff x')
      .map((bad): [string, string] => [`remark with ${JSON.stringify(bad)}`, JSON.stringify({ ...valid, remark: `a${bad}b` })]),
    fc
      .constantFrom<unknown>([], 'text', 42, null)
      .map((body): [string, string] => [`body ${JSON.stringify(body)}`, JSON.stringify(body === 'text' ? [valid] : body)]),
    fc.constant<[string, string]>(['truncated', JSON.stringify(valid).slice(0, 1 + (n % Math.max(1, JSON.stringify(valid).length - 1)))]),
    fc.constant<[string, string]>([
      'a line with a string role',
      JSON.stringify({ ...valid, instances: [{ dialogueContentList: [{ dialogueRole: 'bot' }] }] }),
    ]),
  ),
);

/** How many cases a property runs: FUZZ_RUNS (npm run fuzz sets 10,000), else the CI default. */
export function fuzzRuns(ciDefault: number): number {
  const runs = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(runs) && runs > 0 ? runs : ciDefault;
}
