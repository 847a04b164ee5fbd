import { describe, expect, it } from 'vitest';
import { nextBatchLength, RECORD_OVERHEAD_BYTES, recordBytes } from '../../services/ingress/publish/publish-batch.ts';

/** How waiting callbacks are cut into produce requests: by count, and by bytes so no batch outgrows the topic. */
const sized = (...bytes: number[]) => bytes.map((size) => ({ bytes: size }));

describe('nextBatchLength', () => {
  it.each([
    ['everything when it fits', sized(10, 10, 10), 5, 100, 3],
    ['at most maxRecords', sized(1, 1, 1, 1, 1, 1), 4, 100, 4],
    ['no more bytes than maxBytes', sized(40, 40, 40), 10, 100, 2],
    ['exactly maxBytes', sized(50, 50, 1), 10, 100, 2],
    ['one record even when it alone exceeds maxBytes', sized(150, 10), 10, 100, 1],
    ['nothing from an empty queue', sized(), 10, 100, 0],
  ])('takes %s', (_name, waiting, maxRecords, maxBytes, expected) => {
    expect(nextBatchLength(waiting, maxRecords, maxBytes)).toBe(expected);
  });
});

describe('recordBytes', () => {
  it('counts key, value and headers in UTF-8 bytes, plus the framing', () => {
    const bytes = recordBytes({ key: 'k', value: 'テスト', headers: { 'event-id': 'abc' } });
    expect(bytes).toBe(1 + 9 + 'event-id'.length + 3 + 2 + RECORD_OVERHEAD_BYTES);
  });
});
