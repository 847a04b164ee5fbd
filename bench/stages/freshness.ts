import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { summarize } from '../load/latency.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import type { Lab } from '../lab/lab.ts';
import type { Pipeline } from '../lab/pipeline.ts';
import { createFreshnessTracker } from '../lab/freshness-tracker.ts';
import { ingestRequest, lookupRequest } from '../lab/requests.ts';
import type { FreshnessResult } from '../results.ts';

/**
 * Stage 4: ingest at 50% of the ingress's saturation, then at 25%, open loop; a sample of the accepted callbacks
 * (about freshnessSamplesPerS a second) is watched from the moment its 200 arrived until GET
 * /v1/calls/{callId} returns it (lab/freshness-tracker.ts). Resolution: a few milliseconds.
 */
export interface FreshnessWindow {
  samples: number[];
  timeouts: number;
  ingestRps: number;
  ingestErrors: number;
  ingestStatuses: Record<string, number>;
}

export async function measureFreshness(
  lab: Lab,
  pipeline: Pipeline,
  rate: number,
  durationMs: number,
  sampled = true,
): Promise<FreshnessWindow> {
  const prefix = callIdPrefix(lab.random);
  const every = Math.max(1, Math.round(rate / lab.options.freshnessSamplesPerS));
  const tracker = createFreshnessTracker({
    pool: lab.db.pool,
    tenantId: lab.tenant.tenantId,
    lookup: (callId) => pipeline.lookupClient.send(lookupRequest(lab, callId)),
    // Past this, a callback counts as a timeout (at this value): bounds the stage's length.
    giveUpMs: lab.options.durationMs + 5_000,
  });
  const load = await runOpenLoop({
    ratePerS: rate,
    durationMs,
    maxInFlight: 2_000,
    send: (index) => pipeline.ingestClient.send(ingestRequest(lab, index, callIdOf(prefix, index))),
    onAnswer: (index, status, answeredAt) => {
      if (sampled && status === 200 && index % every === 0) tracker.track(callIdOf(prefix, index), answeredAt);
    },
  });
  const { samples, timeouts } = await tracker.finish();
  return {
    samples,
    timeouts,
    ingestRps: load.achieved_rps,
    ingestErrors: load.failed + load.dropped,
    ingestStatuses: { ...load.statuses, ...(load.dropped ? { dropped: load.dropped } : {}) },
  };
}

/** A warm-up at the rate, then a measured window with its CPU use. */
async function measuredWindow(lab: Lab, pipeline: Pipeline, rate: number) {
  await measureFreshness(lab, pipeline, rate, lab.options.warmupMs, false);
  const cpu = await lab.watchCpu([pipeline.ingress, pipeline.consumer, pipeline.query]);
  const window = await measureFreshness(lab, pipeline, rate, lab.options.durationMs);
  return { window, cpuCores: await cpu.stop(), latency: summarize(window.samples) };
}

export async function runFreshnessStage(lab: Lab, pipeline: Pipeline, halfRate: number): Promise<FreshnessResult> {
  const { window, cpuCores, latency } = await measuredWindow(lab, pipeline, halfRate);
  // The tracker waited for the last sampled calls, so the backlog of the first window is drained by now.
  const quarter = await measuredWindow(lab, pipeline, halfRate / 2);
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
    quarter_load: {
      ingest_rps: quarter.window.ingestRps,
      p50_ms: quarter.latency.p50_ms,
      p95_ms: quarter.latency.p95_ms,
      p99_ms: quarter.latency.p99_ms,
      samples: quarter.latency.count,
      timeouts: quarter.window.timeouts,
      cpu_cores: quarter.cpuCores,
    },
  };
}
