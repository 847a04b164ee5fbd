import type { LoadResult } from './load.ts';

/** Several loads' results as one: counts added, calls and exchanges side by side (a scenario of phases or tenants). */
export function mergeLoads(...loads: LoadResult[]): LoadResult {
  return {
    sent: sum(loads, (load) => load.sent),
    requests: sum(loads, (load) => load.requests),
    accepted: sum(loads, (load) => load.accepted),
    rejected: mergeCounts(...loads.map((load) => load.rejected)),
    unacknowledged: sum(loads, (load) => load.unacknowledged),
    unavailableWithoutRetryAfter: sum(loads, (load) => load.unavailableWithoutRetryAfter),
    calls: loads.flatMap((load) => load.calls),
    exchanges: loads.flatMap((load) => load.exchanges),
    elapsedMs: Math.max(0, ...loads.map((load) => load.elapsedMs)),
  };
}

export function mergeCounts(...counts: Array<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const count of counts) for (const [key, value] of Object.entries(count)) merged[key] = (merged[key] ?? 0) + value;
  return merged;
}

const sum = (loads: LoadResult[], of: (load: LoadResult) => number) => loads.reduce((total, load) => total + of(load), 0);
