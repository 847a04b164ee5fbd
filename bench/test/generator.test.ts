import { describe, expect, it } from 'vitest';
import { parseCallback } from '../../shared/callback/schema.ts';
import { callIdOf, callIdPrefix, generateCallback, MAX_LINES, MIN_LINES } from '../generator/callback.ts';
import { createPayloadSet } from '../generator/payloads.ts';
import { createRandom } from '../generator/random.ts';

/** The benchmark's payloads: reproducible from the seed, realistic in shape and size, and valid. */
const SEED = 20260102;
const PREFIX = '5f3a9c21-7b2e-4d10-8e8f-';
const PAYLOADS = 300;

type Payload = { instances: { dialogueContentList: unknown[] }[] };
const lineCount = (callback: Payload) => callback.instances.reduce((sum, instance) => sum + instance.dialogueContentList.length, 0);

describe('bench payload generator', () => {
  const payloads = Array.from({ length: PAYLOADS }, (_, index) => generateCallback(SEED, index, callIdOf(PREFIX, index)));

  it('gives the same payload for the same seed and index, and a different one for another seed', () => {
    expect(generateCallback(SEED, 7, callIdOf(PREFIX, 7))).toEqual(payloads[7]);
    expect(JSON.stringify(generateCallback(SEED + 1, 7, callIdOf(PREFIX, 7)))).not.toBe(JSON.stringify(payloads[7]));
  });

  it('makes payloads of 2 to 6 KB with 10 to 40 dialogue lines', () => {
    const sizes = payloads.map((payload) => Buffer.byteLength(JSON.stringify(payload)));
    const lines = payloads.map((payload) => lineCount(payload as unknown as Payload));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(2 * 1024);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(6 * 1024);
    expect(Math.min(...lines)).toBe(MIN_LINES);
    expect(Math.max(...lines)).toBe(MAX_LINES);
  });

  it('makes payloads the ingress accepts, with Japanese and ASCII dialogue', () => {
    for (const payload of payloads) expect(parseCallback(payload)).toMatchObject({ ok: true });
    const text = JSON.stringify(payloads);
    expect(text).toMatch(/[\u3040-\u30ff]/);
    expect(text).toMatch(/Thank you for calling\./);
  });

  it('names calls with UUID-shaped ids that carry their index', () => {
    const prefix = callIdPrefix(createRandom(1));
    expect(callIdOf(prefix, 255)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-0{10}ff$/);
    expect(payloads[3]).toMatchObject({ callId: callIdOf(PREFIX, 3) });
  });

  it('splices a call id into a template exactly where the generator would have put it', () => {
    const set = createPayloadSet(SEED, 50);
    expect(set.body(57, callIdOf(PREFIX, 57))).toBe(JSON.stringify(generateCallback(SEED, 7, callIdOf(PREFIX, 57))));
    expect(set.meanBytes).toBeGreaterThan(2 * 1024);
    expect(set.meanBytes).toBeLessThan(6 * 1024);
  });
});
