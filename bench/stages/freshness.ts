import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { summarize } from '../load/latency.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import type { Lab } from '../lab/lab.ts';
import type { Pipeline } from '../lab/pipeline.ts';
import { ingestRequest, lookupRequest } from '../lab/requests.ts';
import type { FreshnessResult } from '../results.ts';

/**
 * Stage 4: ingest at 50% of the ingress's saturation, open loop; a sample of the accepted callbacks
 * (about freshnessSamplesPerS a second) is polled on GET /v1/calls/{callId} every few milliseconds from
 * the moment its 200 arrived until the query service returns it. The poll interval bounds the
 * resolution; the polls are part of the load, as a reader's would be.
 */
const POLL_MS = 5;
const GIVE_UP_MS = 30_000;

export interface FreshnessWindow {
  samples: number[];
  timeouts: number;
  ingestRps: number;
  ingestErrors: number;
  ingestStatuses: Record<string, number>;
}

export async function measureFreshness(lab: Lab, pipeline: Pipeline, rate: number, durationMs: number): Promise<FreshnessWindow> {
  const prefix = callIdPrefix(lab.random);
  const every = Math.max(1, Math.round(rate / lab.options.freshnessSamplesPerS));
  const samples: number[] = [];
  const polls: Promise<void>[] = [];
  let timeouts = 0;

  const poll = async (callId: string, acceptedAt: number) => {
    while (performance.now() - acceptedAt < GIVE_UP_MS) {
      if ((await pipeline.lookupClient.send(lookupRequest(lab, callId))) === 200) {
        samples.push(performance.now() - acceptedAt);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    // Counted at the give-up time, so that percentiles are lower bounds rather than silently better.
    samples.push(GIVE_UP_MS);
    timeouts += 1;
  };

  const load = await runOpenLoop({
    ratePerS: rate,
    durationMs,
    maxInFlight: 2_000,
    send: (index) => pipeline.ingestClient.send(ingestRequest(lab, index, callIdOf(prefix, index))),
    onAnswer: (index, status, answeredAt) => {
      if (status === 200 && index % every === 0) polls.push(poll(callIdOf(prefix, index), answeredAt));
    },
  });
  await Promise.all(polls);
  return { samples, timeouts, ingestRps: load.achieved_rps, ingestErrors: load.failed + load.dropped, ingestStatuses: { ...load.statuses, ...(load.dropped ? { dropped: load.dropped } : {}) } };
}

export async function runFreshnessStage(lab: Lab, pipeline: Pipeline, halfRate: number): Promise<FreshnessResult> {
  await measureFreshness(lab, pipeline, halfRate, lab.options.warmupMs);
  const cpu = await lab.watchCpu([pipeline.ingress, pipeline.consumer, pipeline.query]);
  const window = await measureFreshness(lab, pipeline, halfRate, lab.options.durationMs);
  const cpuCores = await cpu.stop();
  const latency = summarize(window.samples);
  return {
    p50_ms: latency.p50_ms,
    p95_ms: latency.p95_ms,
    p99_ms: latency.p99_ms,
    max_ms: latency.max_ms,
    samples: latency.count,
    timeouts: window.timeouts,
    ingest_rps: window.ingestRps,
    ingest_errors: window.ingestErrors,
    ingest_statuses: window.ingestStatuses,
    cpu_cores: cpuCores,
  };
}
