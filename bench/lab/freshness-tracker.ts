import type { Pool } from '../../shared/db/pool.ts';

/**
 * Watches accepted callbacks until the query service returns them. Polling GET for every tracked call
 * every few milliseconds would itself load the query service and Postgres more and more the staler the
 * data gets (hundreds of pollers at once). Instead one query on the calls table (the contract) every
 * POLL_MS looks for the pending calls that are due: a call is checked again after 5 ms or 5% of its age,
 * whichever is longer, so the error stays within a few ms while data is fresh and within 5% when it is
 * stale, and the load stays small. A call found there is fetched with GET until the query service
 * returns it, and that moment is when it counts as fresh.
 */
const POLL_MS = 5;
const RECHECK_SHARE_OF_AGE = 0.05;

export interface FreshnessTracker {
  track(callId: string, acceptedAt: number): void;
  /** Waits for every tracked call, or until giveUpMs after its 200; the late ones count as timeouts. */
  finish(): Promise<{ samples: number[]; timeouts: number }>;
}

export interface TrackerOptions {
  pool: Pool;
  tenantId: string;
  lookup(callId: string): Promise<number>;
  giveUpMs: number;
}

export function createFreshnessTracker(options: TrackerOptions): FreshnessTracker {
  const pending = new Map<string, { acceptedAt: number; checkAt: number }>();
  const fetching = new Set<Promise<void>>();
  const samples: number[] = [];
  let timeouts = 0;
  let finishing = false;

  const fetchUntilReturned = async (callId: string, acceptedAt: number) => {
    while (performance.now() - acceptedAt < options.giveUpMs) {
      if ((await options.lookup(callId)) === 200) {
        samples.push(performance.now() - acceptedAt);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    samples.push(options.giveUpMs); // a lower bound: percentiles are never better than the truth
    timeouts += 1;
  };

  const loop = (async () => {
    while (!finishing || pending.size > 0) {
      const now = performance.now();
      const due = [...pending].filter(([, call]) => call.checkAt <= now).map(([callId]) => callId);
      if (due.length > 0) {
        const { rows } = await options.pool.query<{ call_id: string }>(
          'select call_id from calls where tenant_id = $1::uuid and call_id = any($2::text[])',
          [options.tenantId, due],
        );
        for (const { call_id: callId } of rows) {
          const { acceptedAt } = pending.get(callId)!;
          pending.delete(callId);
          const fetch = fetchUntilReturned(callId, acceptedAt);
          fetching.add(fetch);
          void fetch.finally(() => fetching.delete(fetch));
        }
        const checkedAt = performance.now();
        for (const callId of due) {
          const call = pending.get(callId);
          if (!call) continue;
          const age = checkedAt - call.acceptedAt;
          if (age >= options.giveUpMs) {
            pending.delete(callId);
            samples.push(options.giveUpMs);
            timeouts += 1;
          } else {
            call.checkAt = checkedAt + Math.max(POLL_MS, RECHECK_SHARE_OF_AGE * age);
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();

  return {
    track: (callId, acceptedAt) => void pending.set(callId, { acceptedAt, checkAt: acceptedAt }),
    async finish() {
      finishing = true;
      await loop;
      await Promise.all(fetching);
      return { samples, timeouts };
    },
  };
}
