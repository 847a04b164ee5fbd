import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestingDepth } from '../../services/ingress/callback-body/decode-callback-body.ts';
import { EARLIEST_LOCAL_TIME, LATEST_LOCAL_TIME, MAX_INDEXED_TEXT_LENGTH } from '../../shared/callback/limits.ts';
import { ALPHABETS, bulkCaseArb, EDGE_ZONES, edgeCaseArb, textOfLength, type Alphabet } from '../support/edge-callback-arbitrary.ts';
import { exactInteger, JsonNumber, pathNamesField, serialize } from '../support/edge-json.ts';

/**
 * The edge fuzzer's own parts: the literal-preserving JSON, the exact integer reading the oracle relies on,
 * the path matching of 422 issues, and that the generator really reaches the edges it claims to (a fuzzer
 * that never sends a 257-character label cannot find the bug behind it).
 */
const wellFormed = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

describe('edge JSON', () => {
  it('writes number literals as given, so 1e400 and 23-digit decimals reach the ingress unchanged', () => {
    expect(serialize({ a: new JsonNumber('1e400'), b: [new JsonNumber('-0'), 1.5, '😀'], c: null })).toBe(
      '{"a":1e400,"b":[-0,1.5,"😀"],"c":null}',
    );
  });

  it.each([
    ['1e3', '1000'],
    ['-0', '0'],
    ['1.0', '1'],
    ['100e-2', '1'],
    ['9007199254740991.0', '9007199254740991'],
    ['12345678901234567890123', '12345678901234567890123'],
    ['1E+2', '100'],
  ])('reads the integer literal %s exactly as %s', (literal, value) => {
    expect(exactInteger(new JsonNumber(literal))).toBe(value);
  });

  it.each(['1.5', '1e-1', '0.1', '5e-324', 'NaN'])('reads %s as no integer', (literal) => {
    expect(exactInteger(new JsonNumber(literal))).toBeUndefined();
  });

  it('names a field when the path leads to something sent, quoted keys (dots, brackets, empty) included', () => {
    const sent = { callId: 'c', 'a.b': { x: 1 }, 'arr[0]': [1], '': { y: [2] }, instances: [{ dialogueContentList: [{ matchType: -1 }] }] };
    expect(
      [
        '(root)',
        'callId',
        '["a.b"].x',
        '["arr[0]"][0]',
        '[""].y[0]',
        'instances[0].dialogueContentList[0].matchType',
        'workflow',
        'instances[0].robotId',
      ].map((path) => pathNamesField(sent, path)),
    ).toEqual([true, true, true, true, true, true, true, true]);
    expect(
      ['instances[1]', 'instances[0].x.y', 'callId.length', '["a.b"].y.z', '["nope"].deeper', 'nope.deeper'].map((path) =>
        pathNamesField(sent, path),
      ),
    ).toEqual([false, false, false, false, false, false]);
  });
});

describe('edge generator', () => {
  it.each(Object.keys(ALPHABETS) as Alphabet[])('makes text of exactly the asked length, well formed, from %s', (alphabet) => {
    for (const length of [0, 1, MAX_INDEXED_TEXT_LENGTH, MAX_INDEXED_TEXT_LENGTH + 1, 6_000]) {
      const text = textOfLength(length, [alphabet], length);
      expect({ length: text.length, wellFormed: wellFormed(text) }).toEqual({ length, wellFormed: true });
    }
  });

  it('reaches every edge it is meant to within a few thousand cases', () => {
    const found = new Set<string>();
    const visit = (value: unknown, key: string) => {
      if (typeof value === 'string') {
        if (key === 'labelInfos[]' || key === 'name') found.add(`label of ${value.length}`);
        if (/Time$/.test(key)) found.add(`time ${value}`);
        if (!wellFormed(value) || value.includes('\u0000')) found.add('unstorable text');
        if (/[\u{10000}-\u{10ffff}]/u.test(value)) found.add('astral text');
      } else if (value instanceof JsonNumber) {
        found.add(`literal ${value.text}`);
        if (/^-?\d{23,}$/.test(value.text.replace('.', ''))) found.add('23+ digits');
      } else if (value === null) {
        found.add(`null ${key}`);
      } else if (Array.isArray(value)) {
        for (const item of value) visit(item, `${key}[]`);
      } else if (value && typeof value === 'object') {
        for (const [name, item] of Object.entries(value)) visit(item, name);
      }
    };
    const zones = new Set<string>();
    for (const { zone, body } of fc.sample(edgeCaseArb, { numRuns: 3_000, seed: 42 })) {
      zones.add(zone);
      visit(body, '');
      found.add(`depth ${Math.min(nestingDepth(serialize(body), MAX_JSON_DEPTH + 2), MAX_JSON_DEPTH + 2)}`);
    }
    const wanted = [
      `label of 0`,
      `label of ${MAX_INDEXED_TEXT_LENGTH}`,
      `label of ${MAX_INDEXED_TEXT_LENGTH + 1}`,
      'label of 6000',
      `time ${EARLIEST_LOCAL_TIME}`,
      'time 0001-01-01 23:59:59',
      'time 0001-01-01 00:00:00',
      `time ${LATEST_LOCAL_TIME}`,
      'time 9999-12-31 00:00:00',
      'time 2024-02-29 23:59:59',
      'literal 1e400',
      'literal 5e-324',
      'literal -0',
      'literal 9007199254740991',
      '23+ digits',
      'null remark',
      'null callId',
      'unstorable text',
      'astral text',
      `depth ${MAX_JSON_DEPTH}`,
      `depth ${MAX_JSON_DEPTH + 1}`,
    ];
    expect(wanted.filter((edge) => !found.has(edge))).toEqual([]);
    expect([...zones].sort()).toEqual([...EDGE_ZONES].sort());
  });

  it('sizes bulk bodies to the byte: one under, at and one past the limit', () => {
    const limit = 1024 * 1024;
    const sizes = fc.sample(bulkCaseArb(limit), { numRuns: 40, seed: 7 }).map(({ text }) => Buffer.byteLength(text));
    expect(new Set(sizes)).toEqual(new Set([limit - 1, limit, limit + 1, limit / 2]));
  });
});
