import { variantCallback, type RawCallback } from '../kit/callbacks.ts';
import { seededRandom } from '../kit/seeded-random.ts';

/**
 * What the senders deliver, per call the sequence of deliveries a sender makes, of the kit's variations
 * of the seed-000 sample (0–2 dialogue sessions of 1–3 lines, labels, variables, recordings; a version's
 * remark names it, so a stale row is visible). A steady stream: every call once, every fourth one
 * updated afterwards.
 */
export function steadyDeliveries(call: number): RawCallback[] {
  return call % 4 === 1 ? [variantCallback(call, 0), variantCallback(call, 1)] : [variantCallback(call, 0)];
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
    return versions.slice(0, 3 + (call % 4)).map((version) => variantCallback(call, version));
  };
}
