import { expect } from 'vitest';
import type { ScenarioResult } from './scenario.ts';

/** What every short chaos variant asserts: no problem, no crash, every accepted call stored once, every 503 with Retry-After. */
export function expectNothingLost(result: ScenarioResult): void {
  expect(result.problems).toEqual([]);
  expect(result.crashed).toEqual([]);
  expect(result.acceptedCalls).toBeGreaterThan(0);
  expect({ lost: result.lost, duplicated: result.duplicated, stored: result.stored }).toEqual({
    lost: 0,
    duplicated: 0,
    stored: result.acceptedCalls,
  });
  expect(result.unavailableWithoutRetryAfter).toBe(0);
}
