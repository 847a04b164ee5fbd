import { summarize, type LatencySummary } from './latency.ts';

/**
 * Open-loop load: requests leave on a fixed schedule (request i at start + i/rate) whether or not earlier
 * ones have answered, and each latency is measured from its scheduled time, not from when it actually
 * went out. A server that stalls therefore shows its queueing in the percentiles instead of silently
 * slowing the generator down (coordinated omission). In-flight requests are capped: past the cap a
 * request is counted as dropped, never silently delayed.
 */
export interface OpenLoopOptions {
  ratePerS: number;
  durationMs: number;
  maxInFlight: number;
  /** Sends request `index`; resolves to the HTTP status (0 for no answer). */
  send(index: number): Promise<number>;
  /** Called for every answer, with the time it arrived (performance.now()). */
  onAnswer?(index: number, status: number, answeredAt: number): void;
}

export interface LoadResult {
  planned: number;
  ok: number;
  failed: number;
  dropped: number;
  statuses: Record<string, number>;
  offered_rps: number;
  achieved_rps: number;
  /** Of the 2xx answers. */
  latency: LatencySummary;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<LoadResult> {
  const planned = Math.max(1, Math.floor((options.ratePerS * options.durationMs) / 1000));
  const intervalMs = 1000 / options.ratePerS;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  let dropped = 0;
  let lastAnswer = 0;
  const start = performance.now() + 5;

  const fire = (index: number, scheduledAt: number) => {
    if (pending.size >= options.maxInFlight) {
      dropped += 1;
      return;
    }
    const request = options.send(index).then((status) => {
      const answeredAt = performance.now();
      lastAnswer = answeredAt;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) latencies.push(answeredAt - scheduledAt);
      options.onAnswer?.(index, status, answeredAt);
    });
    pending.add(request);
    void request.finally(() => pending.delete(request));
  };

  let next = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (next < planned && start + next * intervalMs <= now) {
        fire(next, start + next * intervalMs);
        next += 1;
      }
      if (next < planned) setTimeout(tick, 1);
      else done();
    };
    setTimeout(tick, 1);
  });
  // Every request has a client-side timeout, so this wait is bounded.
  await Promise.all(pending);

  const ok = latencies.length;
  const elapsedS = Math.max(options.durationMs, lastAnswer - start) / 1000;
  return {
    planned,
    ok,
    failed: planned - dropped - ok,
    dropped,
    statuses,
    offered_rps: Math.round(options.ratePerS),
    achieved_rps: Math.round(ok / elapsedS),
    latency: summarize(latencies),
  };
}
