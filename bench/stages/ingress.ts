import { endOffsets } from '../../kit/consumer-group.ts';
import { storedBatches } from '../../kit/stored-batches.ts';
import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { createHttpClient, type HttpClient } from '../load/http.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { runOpenLoop, type LoadResult } from '../load/open-loop.ts';
import type { Lab } from '../lab/lab.ts';
import type { NodeProcess } from '../lab/processes.ts';
import { meanRecordBytes } from '../lab/prefill.ts';
import { ingestRequest } from '../lab/requests.ts';
import { splitAtOffsets, topicBytes } from '../lab/topic-bytes.ts';
import type { IngressResult } from '../results.ts';

/**
 * Stage 1: callbacks/s at saturation (closed loop) and p99 at 50% of it (open loop, fixed rate), against
 * the bare Fastify baseline saturated the same way, one after the other in the same run. The bare server
 * is also run at the ingress's 50% rate: the latency floor that HTTP alone has on the machine just then.
 * Afterwards the record batches the ingress wrote are read back from the broker: bytes per callback on
 * the topic in each window, in the KAFKA_COMPRESSION codec the bench was given.
 */
export interface IngressStageOutput {
  result: IngressResult;
  /** The open-loop rate that is "50% load" for the later stages. */
  halfRate: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function saturate(lab: Lab, target: NodeProcess, client: HttpClient) {
  const prefix = callIdPrefix(lab.random);
  const cpu = await lab.watchCpu([target]);
  const load = await runClosedLoop({
    concurrency: lab.options.ingressConcurrency,
    warmupMs: lab.options.warmupMs,
    durationMs: lab.options.durationMs,
    send: (index) => client.send(ingestRequest(lab, index, callIdOf(prefix, index))),
  });
  return { load, cpu: await cpu.stop() };
}

export function errorsOf(load: LoadResult): number {
  return load.failed + load.dropped;
}

function atRate(lab: Lab, client: HttpClient, rate: number): Promise<LoadResult> {
  const prefix = callIdPrefix(lab.random);
  return runOpenLoop({
    ratePerS: rate,
    durationMs: lab.options.durationMs,
    maxInFlight: 2_000,
    send: (index) => client.send(ingestRequest(lab, index, callIdOf(prefix, index))),
  });
}

/** The bare server saturated, and (once the ingress's 50% rate is known) at that rate. */
async function bareBaseline(lab: Lab) {
  const bare = await lab.bareIngress();
  const client = createHttpClient(bare.origin, lab.options.ingressConcurrency * 2);
  return {
    saturated: await saturate(lab, bare, client),
    atRate: (rate: number) => atRate(lab, client, rate),
    async stop() {
      await client.close();
      await bare.stop();
    },
  };
}

export async function runIngressStage(lab: Lab): Promise<IngressStageOutput> {
  // The bare server idles (no requests) while the ingress is measured.
  const bare = await bareBaseline(lab);
  const baseline = bare.saturated;
  const topics = await lab.topics('ingress');
  const ingress = await lab.service('ingress', 'ingress', { topics });
  const client = createHttpClient(ingress.origin, lab.options.ingressConcurrency * 2);
  try {
    const saturated = await saturate(lab, ingress, client);
    const saturatedEnds = await endOffsets(lab.kafka, topics.callRecords);
    const halfRate = Math.max(1, saturated.load.achieved_rps / 2);
    const cpu = await lab.watchCpu([ingress]);
    const half = await atRate(lab, client, halfRate);
    const halfCpu = await cpu.stop();
    // The same rate on the bare server: the latency floor of HTTP on this machine at this moment.
    const bareHalf = await bare.atRate(halfRate);
    const windows = splitAtOffsets(await storedBatches(lab.kafka, topics.callRecords), saturatedEnds);
    return {
      halfRate,
      result: {
        rps: saturated.load.achieved_rps,
        p50_ms: half.latency.p50_ms,
        p99_ms: half.latency.p99_ms,
        p99_ms_saturated: saturated.load.latency.p99_ms,
        baseline_rps: baseline.load.achieved_rps,
        baseline_p99_ms_saturated: baseline.load.latency.p99_ms,
        baseline_p99_ms_at_half_load: bareHalf.latency.p99_ms,
        ratio: round(saturated.load.achieved_rps / baseline.load.achieved_rps, 3),
        rate_at_half_load: round(halfRate, 1),
        achieved_rps_at_half_load: half.achieved_rps,
        errors: errorsOf(saturated.load) + errorsOf(half),
        statuses: { saturated: saturated.load.statuses, half_load: half.statuses },
        concurrency: lab.options.ingressConcurrency,
        cpu_cores: { baseline: baseline.cpu, saturated: saturated.cpu, half_load: halfCpu },
        compression: lab.config.KAFKA_COMPRESSION,
        value_bytes_per_callback: meanRecordBytes(lab),
        topic_bytes: { saturated: topicBytes(windows.before), half_load: topicBytes(windows.after) },
      },
    };
  } finally {
    await client.close();
    await ingress.stop();
    await bare.stop();
  }
}
