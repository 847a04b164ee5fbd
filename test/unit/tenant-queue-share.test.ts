import { describe, expect, it } from 'vitest';
import { createQueueShare, overShare, queueShareLimits } from '../../services/ingress/fairness/queue-share.ts';
import { loadConfig } from '../../shared/config.ts';

/** A queue of 100 records, shared from 50 on. */
const LIMITS = { queueLimit: 100, sharedFrom: 50 };

describe('a tenant share of the publish queue', () => {
  it('lets anyone in below the shared depth, however much one tenant holds', () => {
    expect(overShare({ depth: 49, held: 49, holders: 1 }, LIMITS)).toBe(false);
    expect(overShare({ depth: 0, held: 0, holders: 0 }, LIMITS)).toBe(false);
  });

  it('from the shared depth on, turns away a tenant holding the shared depth divided among the holders', () => {
    // Alone: its share is all 50.
    expect(overShare({ depth: 50, held: 50, holders: 1 }, LIMITS)).toBe(true);
    // Two holders: 25 each; 24 may take one more, 25 may not.
    expect(overShare({ depth: 60, held: 24, holders: 2 }, LIMITS)).toBe(false);
    expect(overShare({ depth: 60, held: 25, holders: 2 }, LIMITS)).toBe(true);
    expect(overShare({ depth: 60, held: 35, holders: 2 }, LIMITS)).toBe(true);
    // Three holders: 16.67 each, so at most 16 whole records: 15 may take the 16th, 16 not the 17th.
    expect(overShare({ depth: 70, held: 15, holders: 3 }, LIMITS)).toBe(false);
    expect(overShare({ depth: 70, held: 16, holders: 3 }, LIMITS)).toBe(true);
  });

  it('always lets in a tenant holding nothing, and leaves a full queue to refuse everyone alike', () => {
    expect(overShare({ depth: 99, held: 0, holders: 40 }, LIMITS)).toBe(false);
    expect(overShare({ depth: 100, held: 100, holders: 1 }, LIMITS)).toBe(false);
    expect(overShare({ depth: 150, held: 90, holders: 2 }, LIMITS)).toBe(false);
  });

  it('counts what each tenant holds as its records enter and leave', () => {
    const share = createQueueShare(LIMITS);
    const leaveA = Array.from({ length: 50 }, () => share.enter('a'));
    expect(share.held('a')).toBe(50);
    // a alone at the shared depth is turned away; b, holding nothing, is let in.
    expect(share.admits('a', 50)).toBe(false);
    expect(share.admits('b', 50)).toBe(true);
    const leaveB = share.enter('b');
    // Two holders now: a's share is 25, b's too.
    expect(share.admits('b', 51)).toBe(true);
    for (const leave of leaveA.slice(0, 26)) leave();
    expect(share.held('a')).toBe(24);
    expect(share.admits('a', 51)).toBe(true);
    // Leaving twice takes one record out once.
    leaveB();
    leaveB();
    expect(share.held('b')).toBe(0);
    expect(share.held('a')).toBe(24);
    // b holds nothing: a is the only holder again, with the whole 50 as its share.
    expect(share.admits('a', 50)).toBe(true);
    for (const leave of leaveA.slice(26)) leave();
    expect(share.held('a')).toBe(0);
  });

  it('is shared from TENANT_QUEUE_SHARE_FROM_PERCENT of PRODUCE_QUEUE_LIMIT: half of it by default, never at 100', () => {
    expect(queueShareLimits(loadConfig({}))).toEqual({ queueLimit: 10_000, sharedFrom: 5_000 });
    expect(queueShareLimits(loadConfig({ PRODUCE_QUEUE_LIMIT: '5', TENANT_QUEUE_SHARE_FROM_PERCENT: '50' }))).toEqual({
      queueLimit: 5,
      sharedFrom: 3,
    });
    const unshared = queueShareLimits(loadConfig({ PRODUCE_QUEUE_LIMIT: '500', TENANT_QUEUE_SHARE_FROM_PERCENT: '100' }));
    expect(unshared).toEqual({ queueLimit: 500, sharedFrom: 500 });
    expect(overShare({ depth: 499, held: 499, holders: 1 }, unshared)).toBe(false);
    expect(queueShareLimits(loadConfig({ PRODUCE_QUEUE_LIMIT: '1', TENANT_QUEUE_SHARE_FROM_PERCENT: '1' }))).toEqual({
      queueLimit: 1,
      sharedFrom: 1,
    });
    for (const value of ['0', '101', '50.5']) {
      expect(() => loadConfig({ TENANT_QUEUE_SHARE_FROM_PERCENT: value })).toThrow(
        `invalid environment variable TENANT_QUEUE_SHARE_FROM_PERCENT="${value}": must be a decimal integer from 1 to 100`,
      );
    }
  });
});
