import { summarize } from './latency.ts';
import type { LoadResult } from './open-loop.ts';

/**
 * Saturation: `concurrency` workers, each sending its next request as soon as the previous one answered,
 * for a fixed time. Answers arriving during the warm-up are not counted; the throughput is the 2xx answers that arrived
 * in the measured window divided by its length, and the latencies are those of the same answers.
 */
export interface ClosedLoopOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  send(index: number): Promise<number>;
}

export async function runClosedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const begin = performance.now();
  const measureFrom = begin + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let measured = 0;

  const worker = async () => {
    while (performance.now() < end) {
      const index = next++;
      const sentAt = performance.now();
      const status = await options.send(index);
      const answeredAt = performance.now();
      if (answeredAt < measureFrom || answeredAt > end) continue;
      measured += 1;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) latencies.push(answeredAt - sentAt);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  const rps = Math.round(latencies.length / (options.durationMs / 1000));
  return {
    planned: measured,
    ok: latencies.length,
    failed: measured - latencies.length,
    dropped: 0,
    statuses,
    offered_rps: rps,
    achieved_rps: rps,
    latency: summarize(latencies),
  };
}
