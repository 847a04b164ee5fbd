import { join } from 'node:path';
import { configEnvironment } from '../../shared/config.ts';
import { callIdOf, callIdPrefix } from '../generator/callback.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { runOpenLoop, type LoadResult } from '../load/open-loop.ts';
import type { Lab } from '../lab/lab.ts';
import { runPgbench } from '../lab/pgbench.ts';
import { lookupCost } from '../lab/lookup-cost.ts';
import type { Pipeline } from '../lab/pipeline.ts';
import { ingestRequest, lookupRequest } from '../lab/requests.ts';
import type { QueryResult } from '../results.ts';

/**
 * Stage 5: GET /v1/calls/{callId} on random existing calls (those the consumer stage stored): requests/s
 * at saturation with `queryConcurrency` connections, p99 at 50% of that rate (open loop) alone and while
 * the ingress takes 25% of its own saturation (a load the machine carries together with the lookups);
 * the buffers a lookup touches and the bytes a stored call takes; baseline pgbench running the same SQL with as many
 * clients, prepared (the baseline) and re-planned every time (what an unnamed statement would cost).
 * Stored calls are named callIdOf(prefix, 0..calls-1), which pgbench can compute too.
 */
export interface StoredCalls {
  prefix: string;
  count: number;
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const errorsOf = (load: LoadResult) => load.failed + load.dropped;

export function randomLookups(lab: Lab, pipeline: Pipeline, calls: StoredCalls) {
  return () => pipeline.lookupClient.send(lookupRequest(lab, callIdOf(calls.prefix, lab.random.int(0, calls.count - 1))));
}

export async function queryAtRate(lab: Lab, pipeline: Pipeline, calls: StoredCalls, rate: number): Promise<LoadResult> {
  return runOpenLoop({ ratePerS: rate, durationMs: lab.options.durationMs, maxInFlight: 2_000, send: randomLookups(lab, pipeline, calls) });
}

export async function runQueryStage(
  lab: Lab,
  pipeline: Pipeline,
  calls: StoredCalls,
  ingressQuarterRate: number,
  workDir: string,
): Promise<QueryResult> {
  const lookup = randomLookups(lab, pipeline, calls);
  const { options } = lab;
  const watch = () => lab.watchCpu([pipeline.ingress, pipeline.consumer, pipeline.query]);

  let cpu = await watch();
  const saturated = await runClosedLoop({
    concurrency: options.queryConcurrency,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    send: lookup,
  });
  const saturatedCpu = await cpu.stop();
  const halfRate = Math.max(1, saturated.achieved_rps / 2);

  cpu = await watch();
  const half = await queryAtRate(lab, pipeline, calls, halfRate);
  const halfCpu = await cpu.stop();

  const pgbench = (mode: 'prepared' | 'extended') =>
    runPgbench({
      databaseUrl: lab.db.url,
      mode,
      clients: options.queryConcurrency,
      seconds: Math.round(options.durationMs / 1000),
      variables: { tenant: lab.tenant.tenantId, prefix: calls.prefix, calls: String(calls.count) },
      scriptPath: join(workDir, 'find-call.pgbench.sql'),
      env: configEnvironment({ PATH: lab.config.PATH, HOME: lab.config.HOME }),
    });
  const prepared = await pgbench('prepared');
  const extended = await pgbench('extended');

  const ingestPrefix = callIdPrefix(lab.random);
  cpu = await watch();
  const [ingest, underIngest] = await Promise.all([
    runOpenLoop({
      ratePerS: ingressQuarterRate,
      durationMs: options.durationMs,
      maxInFlight: 2_000,
      send: (index) => pipeline.ingestClient.send(ingestRequest(lab, index, callIdOf(ingestPrefix, index))),
    }),
    queryAtRate(lab, pipeline, calls, halfRate),
  ]);
  const underIngestCpu = await cpu.stop();
  const cost = await lookupCost(lab, lab.db.pool, calls);

  return {
    rps: saturated.achieved_rps,
    p99_ms: half.latency.p99_ms,
    p50_ms: half.latency.p50_ms,
    p99_ms_saturated: saturated.latency.p99_ms,
    baseline_tps: Math.round(prepared.tps),
    baseline_tps_unprepared: Math.round(extended.tps),
    ratio: round(saturated.achieved_rps / prepared.tps),
    p99_ms_under_ingest: underIngest.latency.p99_ms,
    rate_at_half_load: Math.round(halfRate),
    ingest_rps_during: ingest.achieved_rps,
    errors: errorsOf(saturated) + errorsOf(half) + errorsOf(underIngest),
    concurrency: options.queryConcurrency,
    stored_calls: calls.count,
    ...cost,
    cpu_cores: { saturated: saturatedCpu, half_load: halfCpu, under_ingest: underIngestCpu },
  };
}
