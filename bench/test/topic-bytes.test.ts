import { describe, expect, it } from 'vitest';
import type { StoredBatch } from '../../kit/stored-batches.ts';
import { splitAtOffsets, topicBytes } from '../lab/topic-bytes.ts';

/** Bytes per callback on the topic, per window of the ingress stage, from the batches read back. */
const batch = (partition: number, baseOffset: bigint, records: number, bytes: number): StoredBatch => ({
  partition,
  baseOffset,
  nextOffset: baseOffset + BigInt(records),
  records,
  bytes,
  codec: 'lz4',
});

describe('topicBytes', () => {
  it('divides the batches’ bytes by their records, and says how many records a batch held', () => {
    expect(topicBytes([batch(0, 0n, 10, 4_000), batch(1, 0n, 5, 2_001)])).toEqual({
      bytes_per_callback: 400,
      records_per_batch: 7.5,
      records: 15,
    });
  });

  it('has no figure for a window without records, rather than 0 or NaN', () => {
    expect(topicBytes([])).toEqual({ bytes_per_callback: null, records_per_batch: null, records: 0 });
  });
});

describe('splitAtOffsets', () => {
  it('puts each batch in the window its partition’s end offset says it was written in', () => {
    const batches = [batch(0, 0n, 4, 1), batch(0, 4n, 2, 1), batch(1, 0n, 3, 1), batch(2, 0n, 1, 1)];
    // Partition 2 was still empty when the first window ended.
    const ends = new Map([
      [0, 4n],
      [1, 3n],
      [2, 0n],
    ]);
    expect(splitAtOffsets(batches, ends)).toEqual({ before: [batches[0], batches[2]], after: [batches[1], batches[3]] });
  });
});
