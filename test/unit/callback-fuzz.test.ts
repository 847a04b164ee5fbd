import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCallback, UNSTORABLE_TEXT_MESSAGE } from '../../services/ingress/callback-body/decode-callback-body.ts';
import { canonical } from '../../kit/reconcile.ts';
import { callbackArb, expectedNormalisation, fuzzRuns, mutantArb } from '../support/chaos-callback-arbitrary.ts';

/** The required fields alone, each valid: a change then is the only thing that can be wrong. */
const MINIMAL = {
  callId: 'c-1',
  workflow: 1,
  fromNumber: '1',
  toNumber: '2',
  relayNumber: '3',
  callStartTime: '2021-05-29 10:23:43',
  callEndTime: '2021-05-29 10:23:57',
  callDuration: 14,
};

/**
 * The callback schema under property-based testing (docs/callback.schema.json): every structurally valid callback is
 * accepted exactly as the spec normalises it, and every payload with one rule broken is refused with a
 * path, never accepted. CI runs 2,000 cases per property; `npm run fuzz` runs 10,000.
 */
describe('callback schema, fuzzed', () => {
  it('accepts every structurally valid callback and keeps it field for field (numbers for strings as their decimal text)', () => {
    fc.assert(
      fc.property(callbackArb, (sent) => {
        const decoded = decodeCallback(JSON.stringify(sent));
        if (decoded.kind !== 'accepted') throw new Error(`refused: ${JSON.stringify(decoded)}`);
        expect(canonical(decoded.callback)).toBe(canonical(expectedNormalisation(sent)));
      }),
      { numRuns: fuzzRuns(2_000) },
    );
  });

  it('refuses every payload with one rule broken, saying where', () => {
    fc.assert(
      fc.property(mutantArb, ([, body]) => {
        const decoded = decodeCallback(body);
        expect(decoded.kind).not.toBe('accepted');
        if (decoded.kind === 'rejected') expect(decoded.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: fuzzRuns(2_000) },
    );
  });

  // Regression: found by the fuzzer. Postgres text and jsonb cannot hold U+0000 or an unpaired surrogate;
  // such a callback got its 200 and then failed in the consumer (to the dead-letter topic): lost after acceptance.
  it.each([
    ['a NUL in a known text field', { remark: 'a\u0000b' }, 'remark'],
    ['an unpaired high surrogate', { remark: 'a\ud800b' }, 'remark'],
    [
      'an unpaired low surrogate in a dialogue line',
      { instances: [{ dialogueContentList: [{ dialogueContent: '\udc00' }] }] },
      'instances[0].dialogueContentList[0].dialogueContent',
    ],
    ['a NUL in an unknown field', { vendorExtra: { note: '\u0000' } }, 'vendorExtra.note'],
  ])('refuses text Postgres cannot store instead of accepting it: %s', (_what, change, path) => {
    expect(decodeCallback(JSON.stringify({ ...MINIMAL, ...change }))).toEqual({
      kind: 'rejected',
      issues: [{ path, message: UNSTORABLE_TEXT_MESSAGE }],
    });
  });

  it('keeps a well-formed surrogate pair (an emoji) and control characters other than NUL', () => {
    const decoded = decodeCallback(JSON.stringify({ ...MINIMAL, remark: '😀\u0001\u001f\u007f' }));
    expect(decoded).toEqual({ kind: 'accepted', callback: { ...MINIMAL, remark: '😀\u0001\u001f\u007f' } });
  });
});
