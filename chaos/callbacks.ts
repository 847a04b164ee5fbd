import { callIdOf, variantCallback, type RawCallback } from '../test/support/consumer-workload.ts';

/**
 * What the senders deliver: generated callbacks (variations of the seed-000 sample with 0–2 dialogue
 * sessions of 1–3 lines, labels, variables, recordings), and per call the sequence of deliveries a
 * sender makes: most calls once, some updated later (version 1), and for the redelivery scenario the
 * same versions again in a shuffled order.
 */
export type { RawCallback };
export { callIdOf };

/** Call number `call` in version `version`; the remark says which version, so a stale row is visible. */
export function chaosCallback(call: number, version: number): RawCallback {
  return variantCallback(call, version);
}

/** A steady stream: every call once, every fourth one updated afterwards. */
export function steadyDeliveries(call: number): RawCallback[] {
  return call % 4 === 1 ? [chaosCallback(call, 0), chaosCallback(call, 1)] : [chaosCallback(call, 0)];
}

/** Deterministic shuffle (mulberry32), so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The same callbacks again and again, newer and older versions in a random order. */
export function outOfOrderDeliveries(seed: number): (call: number) => RawCallback[] {
  return (call) => {
    const random = seededRandom(seed * 1_000_003 + call);
    const versions = [0, 1, 2, 0, 1, 2, 0];
    for (let i = versions.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [versions[i], versions[j]] = [versions[j]!, versions[i]!];
    }
    return versions.slice(0, 3 + (call % 4)).map((version) => chaosCallback(call, version));
  };
}
