import { describe, expect, it } from 'vitest';
import { caughtUp, lagOf, offsetsOfEveryPartition } from '../../kit/consumer-group.ts';

/**
 * "The group committed nothing" must be asserted per partition: an empty map of committed offsets (a
 * wrong group, a wrong topic, a broker that answered nothing) passed the old `every(offset < 0n)` check.
 */
describe('offsetsOfEveryPartition', () => {
  it('fails on an empty map, which the old every() form let pass', () => {
    const none = new Map<number, bigint>();
    expect([...none.values()].every((offset) => offset < 0n)).toBe(true);
    expect(() => offsetsOfEveryPartition(none, 3)).toThrow('offsets of partitions [], expected exactly [0,1,2]');
  });

  it('fails when a partition is missing or one more is present', () => {
    expect(() =>
      offsetsOfEveryPartition(
        new Map([
          [0, -1n],
          [2, -1n],
        ]),
        3,
      ),
    ).toThrow('offsets of partitions [0,2], expected exactly [0,1,2]');
    expect(() =>
      offsetsOfEveryPartition(
        new Map([
          [0, -1n],
          [1, -1n],
          [2, -1n],
          [3, -1n],
        ]),
        3,
      ),
    ).toThrow('offsets of partitions [0,1,2,3], expected exactly [0,1,2]');
  });

  it('answers the offsets in partition order when every partition is there', () => {
    expect(
      offsetsOfEveryPartition(
        new Map([
          [2, 7n],
          [0, -1n],
          [1, 4n],
        ]),
        3,
      ),
    ).toEqual([-1n, 4n, 7n]);
  });
});

describe('caughtUp', () => {
  it('needs every non-empty partition committed to its end; nothing committed is behind', () => {
    const ends = new Map([
      [0, 5n],
      [1, 0n],
      [2, 3n],
    ]);
    expect(
      caughtUp(
        ends,
        new Map([
          [0, 5n],
          [2, 3n],
        ]),
      ),
    ).toBe(true);
    expect(
      caughtUp(
        ends,
        new Map([
          [0, 5n],
          [2, 2n],
        ]),
      ),
    ).toBe(false);
    expect(
      caughtUp(
        ends,
        new Map([
          [0, 5n],
          [1, -1n],
          [2, -1n],
        ]),
      ),
    ).toBe(false);
  });

  it('refuses a topic without partitions instead of calling it consumed', () => {
    expect(() => caughtUp(new Map(), new Map())).toThrow('the topic has no partitions');
  });
});

describe('lagOf', () => {
  it('sums what each partition has still to commit, counting a partition never committed from 0 and a commit read past the end as none', () => {
    const ends = new Map([
      [0, 10n],
      [1, 4n],
      [2, 7n],
      [3, 0n],
    ]);
    const committed = new Map([
      [0, 6n],
      [1, -1n],
      [2, 9n],
    ]);
    expect(lagOf(ends, committed)).toBe(4 + 4 + 0 + 0);
  });
});
