import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCallback, MAX_JSON_DEPTH, nestingDepth } from '../../services/ingress/callback-body/decode-callback-body.ts';
import { LOCAL_TIME_RANGE_MESSAGE, UNSAFE_INTEGER_MESSAGE } from '../../shared/callback/fields.ts';
import { callbackSchema } from '../../shared/callback/schema.ts';

/** From body text to callback: what is accepted as sent, what is normalised, and the exact issue of each refusal. */
const seedText = readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8');
const seed = JSON.parse(seedText);
const text = (value: unknown) => JSON.stringify(value);
const REQUIRED = ['callId', 'workflow', 'fromNumber', 'toNumber', 'relayNumber', 'callStartTime', 'callEndTime', 'callDuration'];

describe('decodeCallback accepts', () => {
  it('the seed-000 sample, keeping it as sent except the numeric customerNumber, which becomes its decimal string', () => {
    expect(decodeCallback(seedText)).toEqual({ kind: 'accepted', callback: { ...seed, customerNumber: '18770915633' } });
  });

  it('a schema that names every field of the seed sample, and no other', () => {
    expect(Object.keys(callbackSchema.shape).sort()).toEqual(Object.keys(seed).sort());
  });

  it.each([
    [
      'unknown extra fields, nested ones too',
      { ...seed, extra: { a: [1, { b: null }] }, instances: [{ ...seed.instances[0], newThing: 'x' }] },
    ],
    ['unknown codes', { ...seed, workflow: 99, hangupBy: 42, instances: [{ dialogueContentList: [{ matchType: 77, dialogueRole: 5 }] }] }],
    ['variates as one object, as documented', { ...seed, contactDetailRel: { variates: { key: 'k', type: 'text', value: 'v' } } }],
    ['the largest safe integer', { ...seed, adTaskId: Number.MAX_SAFE_INTEGER }],
    ['end equal to start', { ...seed, callEndTime: seed.callStartTime }],
    ['29 February in a leap year', { ...seed, callStartTime: '2024-02-29 10:00:00', callEndTime: '2024-02-29 10:00:01' }],
  ])('%s', (_name, callback) => {
    const decoded = decodeCallback(text(callback));
    expect(decoded.kind).toBe('accepted');
    expect(decoded.kind === 'accepted' && decoded.callback).toMatchObject({ ...callback, customerNumber: '18770915633' });
  });

  it.each([
    ['fromNumber', 18920765651, '18920765651'],
    ['contactDetailRel', { mobile: 18770915633, variates: [{ value: 18 }] }, { mobile: '18770915633', variates: [{ value: '18' }] }],
    ['variables', [{ variableName: 'n', variableValue: 2 }], [{ variableName: 'n', variableValue: '2' }]],
  ])('%s sent as a number where a string is documented, kept as its decimal string', (field, sent, kept) => {
    const decoded = decodeCallback(text({ ...seed, [field]: sent }));
    expect(decoded.kind === 'accepted' && decoded.callback[field]).toEqual(kept);
  });
});

describe('decodeCallback refuses', () => {
  const refused = (body: string) => {
    const decoded = decodeCallback(body);
    if (decoded.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(decoded)}`);
    return decoded.issues;
  };
  const without = (key: string) => Object.fromEntries(Object.entries(seed).filter(([name]) => name !== key));

  it.each(REQUIRED)('a callback without %s', (field) => {
    expect(refused(text(without(field)))).toEqual([{ path: field, message: 'is required' }]);
  });

  it.each(REQUIRED)('a callback with %s null', (field) => {
    expect(refused(text({ ...seed, [field]: null }))).toEqual([{ path: field, message: 'must not be null' }]);
  });

  it.each([
    ['workflow as a string', { workflow: '3' }, 'workflow', 'must be a non-negative integer'],
    ['a negative duration', { callDuration: -1 }, 'callDuration', 'must be a non-negative integer'],
    ['a fractional duration', { callDuration: 1.5 }, 'callDuration', 'must be a non-negative integer'],
    ['a boolean number', { fromNumber: true }, 'fromNumber', 'must be a string'],
    ['a fractional number where a string is documented', { toNumber: 1.5 }, 'toNumber', 'must be a string'],
    ['an empty callId', { callId: '' }, 'callId', 'must not be empty'],
    ['a callId longer than the query service can be asked for', { callId: 'x'.repeat(129) }, 'callId', 'must be at most 128 characters'],
    ['robotNames as a string', { robotNames: 'bot' }, 'robotNames', 'must be an array'],
    ['an instance that is not an object', { instances: ['x'] }, 'instances[0]', 'must be an object'],
    [
      'a nested wrong type',
      { instances: [{ dialogueContentList: [{ matchType: 'hit' }] }] },
      'instances[0].dialogueContentList[0].matchType',
      'must be a non-negative integer',
    ],
    [
      'variates as a string',
      { contactDetailRel: { variates: 'x' } },
      'contactDetailRel.variates',
      'must be an object or an array of objects',
    ],
    ['2021-02-30', { callStartTime: '2021-02-30 10:00:00' }, 'callStartTime', 'must be a real calendar time as yyyy-MM-dd HH:mm:ss'],
    ['year 0, which Postgres cannot store', { callStartTime: '0000-01-01 10:00:00' }, 'callStartTime', LOCAL_TIME_RANGE_MESSAGE],
    ['an ISO time with T', { callEndTime: '2021-05-29T10:23:57' }, 'callEndTime', 'must be a real calendar time as yyyy-MM-dd HH:mm:ss'],
    [
      'a nested impossible time',
      { instances: [{ dialogueEndTime: '2021-05-29 25:00:00' }] },
      'instances[0].dialogueEndTime',
      'must be a real calendar time as yyyy-MM-dd HH:mm:ss',
    ],
    ['end before start', { callEndTime: '2021-05-29 10:23:42' }, 'callEndTime', 'must not be before callStartTime'],
  ])('%s', (_name, change, path, message) => {
    expect(refused(text({ ...seed, ...change }))).toEqual([{ path, message }]);
  });

  it('every problem at once, end before start included', () => {
    expect(refused(text({ ...seed, workflow: null, callEndTime: '2021-05-29 10:00:00', gender: 1 }))).toEqual([
      { path: 'workflow', message: 'must not be null' },
      { path: 'gender', message: 'must be a string' },
      { path: 'callEndTime', message: 'must not be before callStartTime' },
    ]);
  });

  it.each([
    ['an id', seedText.replace('"instanceId": 1622255025121140', '"instanceId": 9007199254740993'), 'instances[0].instanceId'],
    ['a count', seedText.replace('"callDuration": 14', '"callDuration": 18446744073709551616'), 'callDuration'],
    [
      'a number sent for a string',
      seedText.replace('"customerNumber": 18770915633', '"customerNumber": 187709156331234567890'),
      'customerNumber',
    ],
    ['an unknown field', seedText.replace('"gender": "male"', '"gender": "male", "futureId": 9007199254740992'), 'futureId'],
  ])('an integer above 2^53 in %s, rather than storing the rounded number', (_where, body, path) => {
    expect(refused(body)).toEqual([{ path, message: UNSAFE_INTEGER_MESSAGE }]);
  });

  it.each([
    ['an array', '[]'],
    ['an array of callbacks', `[${seedText}]`],
    ['null', 'null'],
    ['a string', '"callback"'],
    ['a number', '42'],
  ])('%s instead of an object', (_name, body) => {
    expect(refused(body)).toEqual([{ path: '(root)', message: 'must be a JSON object (one callback)' }]);
  });

  it('a __proto__ key, which would vanish when the object is copied', () => {
    expect(refused(seedText.replace('{', '{"__proto__": {"polluted": true},'))).toEqual([
      { path: '__proto__', message: 'is a reserved name and cannot be accepted' },
    ]);
  });

  it.each([
    ['one level too deep', `{"extra": ${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`],
    ['a megabyte of brackets, without parsing them', '['.repeat(1_000_000)],
  ])('nesting %s', (_name, body) => {
    expect(refused(body)).toEqual([{ path: '(root)', message: `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels` }]);
  });

  it('accepts nesting up to the limit in unknown fields', () => {
    const depth = MAX_JSON_DEPTH - 1;
    expect(decodeCallback(seedText.replace('{', `{"extra": ${'['.repeat(depth)}${']'.repeat(depth)},`)).kind).toBe('accepted');
  });
});

describe('decodeCallback answers malformed', () => {
  it.each([
    ['an empty body', '', 'EMPTY_BODY', 'the body is empty; send one callback as a JSON object'],
    ['a body of white space', ' \n\t', 'EMPTY_BODY', 'the body is empty; send one callback as a JSON object'],
    ['cut-off JSON', '{"callId": ', 'INVALID_JSON', 'the body is not valid JSON: Unexpected end of JSON input'],
    ['not JSON at all', 'callId=1', 'INVALID_JSON', expect.stringMatching(/^the body is not valid JSON: Unexpected token /)],
  ])('%s', (_name, body, code, message) => {
    expect(decodeCallback(body)).toEqual({ kind: 'malformed', code, message });
  });
});

describe('nestingDepth', () => {
  it.each([
    ['{}', 1],
    ['{"a": [1, {"b": []}]}', 4],
    ['"[[[[{{{"', 0],
    ['{"a": "\\"[[[["}', 1],
    ['[[[]], [[[]]]]', 4],
  ])('of %s is %i', (body, depth) => {
    expect(nestingDepth(body, 10)).toBe(depth);
  });

  it('stops counting just past the limit', () => {
    expect(nestingDepth('['.repeat(100), 5)).toBe(6);
  });
});

describe('decodeCallback bounds its work on a flood of values the schema cannot see', () => {
  // About a megabyte each: an unknown field holding one kind of bad value over and over.
  const flood = (value: string, count: number) => `{${text(seed).slice(1, -1)},"extra":[${Array(count).fill(value).join(',')}]}`;
  const firstPaths = (count: number) => Array.from({ length: count }, (_, index) => `extra[${index}]`);

  it.each([
    ['U+0000 in text', '"\\u0000"', 110_000],
    ['integers beyond 2^53', '9007199254740993', 60_000],
    ['numbers beyond a double', '1e400', 170_000],
  ])('%s: stops one past the listed issues, in reading order (extra[2] before extra[10])', (_name, value, count) => {
    const decoded = decodeCallback(flood(value, count));
    expect(decoded.kind).toBe('rejected');
    const issues = decoded.kind === 'rejected' ? decoded.issues : [];
    expect(issues.map((issue) => issue.path)).toEqual(firstPaths(101));
  });

  it('sorts paths with indices as numbers', () => {
    const decoded = decodeCallback(flood('1e400', 12));
    expect(decoded.kind === 'rejected' && decoded.issues.map((issue) => issue.path)).toEqual(firstPaths(12));
  });
});
