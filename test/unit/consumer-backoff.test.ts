import { describe, expect, it } from 'vitest';
import { backoffDelay, waitWithTicks } from '../../services/consumer/backoff.ts';

describe('backoffDelay', () => {
  it.each([
    [1, 200],
    [2, 400],
    [3, 800],
    [6, 6_400],
    [7, 10_000],
    [50, 10_000],
    [1_000_000, 10_000],
  ])('retry %i waits %i ms', (attempt, expected) => {
    expect(backoffDelay(attempt, { initialMs: 200, maxMs: 10_000 })).toBe(expected);
  });
});

describe('waitWithTicks', () => {
  it.each([
    ['returns at once, without a tick, when told to stop', () => true, 0],
    ['stops when shouldStop turns true between ticks', (ticks: number) => ticks >= 3, 3],
  ])('%s', async (_name, stopAfter, expectedTicks) => {
    let ticks = 0;
    const result = await waitWithTicks(60_000, { tickMs: 1, tick: async () => void (ticks += 1), shouldStop: () => stopAfter(ticks) });
    expect(result).toBe('interrupted');
    expect(ticks).toBe(expectedTicks);
  });

  it('ticks while waiting and reports the wait elapsed', async () => {
    let ticks = 0;
    const result = await waitWithTicks(20, { tickMs: 1, tick: async () => void (ticks += 1), shouldStop: () => false });
    expect(result).toBe('elapsed');
    expect(ticks).toBeGreaterThan(0);
  });

  it('passes a failing tick (a rebalance) on', async () => {
    const rebalance = new Error('The group is rebalancing');
    await expect(waitWithTicks(60_000, { tickMs: 1, tick: () => Promise.reject(rebalance), shouldStop: () => false })).rejects.toBe(
      rebalance,
    );
  });
});
