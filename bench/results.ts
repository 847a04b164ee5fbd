import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * bench/results/latest.json: per stage the measured figure, its baseline from the same run and their
 * ratio, in the shape issue 6 gives; extra fields say how each figure was obtained. A figure that could
 * not be measured (no samples) is null, never 0 or NaN.
 */
const figure = z.number().nonnegative().nullable();
const cores = z.record(z.string(), z.number());
const statuses = z.record(z.string(), z.number().int());
const topicBytesSchema = z.object({ bytes_per_callback: figure, records_per_batch: figure, records: z.number().int() });

export const ingressResultSchema = z.object({
  rps: figure,
  p50_ms: figure,
  /** At 50% of saturation, open loop. */
  p99_ms: figure,
  p99_ms_saturated: figure,
  baseline_rps: figure,
  baseline_p99_ms_saturated: figure,
  /** The bare server at the ingress's 50% rate: HTTP's own latency floor on this machine, this run. */
  baseline_p99_ms_at_half_load: figure,
  ratio: figure,
  rate_at_half_load: figure,
  achieved_rps_at_half_load: figure,
  errors: z.number().int(),
  statuses: z.object({ saturated: statuses, half_load: statuses }),
  concurrency: z.number().int(),
  cpu_cores: z.record(z.string(), cores),
  /** KAFKA_COMPRESSION of the run's services. */
  compression: z.enum(['none', 'gzip', 'lz4']),
  /** Mean envelope (the record value, uncompressed) over the payload templates. */
  value_bytes_per_callback: z.number().int(),
  /** The record batches on the topic in each window (bench/lab/topic-bytes.ts), warm-up included in saturated. */
  topic_bytes: z.object({ saturated: topicBytesSchema, half_load: topicBytesSchema }),
});

export const kafkaResultSchema = z.object({
  records_per_s: figure,
  mb_per_s: figure,
  record_bytes: z.number().int(),
  records: z.number().int(),
  p50_ms: figure,
  p99_ms: figure,
  /** Ingress saturation over this ceiling. */
  ratio: figure,
});

export const consumerResultSchema = z.object({
  callbacks_per_s: figure,
  rows_per_s: figure,
  baseline_rows_per_s: figure,
  ratio: figure,
  callbacks: z.number().int(),
  rows: z.number().int(),
  rows_per_table: z.record(z.string(), z.number().int()),
  baseline_s: figure,
  cpu_cores: cores,
  /** Shares of the drain its Postgres connections were active / idle in transaction / idle (sampled). */
  backend_states: z.record(z.string(), z.number()),
});

/** Freshness is measured the same way at both loads: these fields mean the same in either. */
const freshnessLatencies = {
  p50_ms: figure,
  p95_ms: figure,
  p99_ms: figure,
  samples: z.number().int(),
  timeouts: z.number().int(),
};

export const freshnessResultSchema = z.object({
  ...freshnessLatencies,
  max_ms: figure,
  ingest_rps: figure,
  ingest_errors: z.number().int(),
  ingest_statuses: statuses,
  cpu_cores: cores,
  /**
   * The same at 25% of the ingress's saturation: the latency floor where the consumer keeps up with the
   * ingest (on a small machine, 50% of the ingress alone can be all the whole pipeline sustains).
   */
  quarter_load: z.object({
    ingest_rps: figure,
    ...freshnessLatencies,
    cpu_cores: cores,
  }),
});

export const queryResultSchema = z.object({
  rps: figure,
  /** At 50% of saturation, open loop, nothing else running. */
  p99_ms: figure,
  p50_ms: figure,
  p99_ms_saturated: figure,
  /** pgbench -M prepared. */
  baseline_tps: figure,
  /** pgbench -M extended: parsed and planned for every execution, like an unnamed statement. */
  baseline_tps_unprepared: figure,
  ratio: figure,
  p99_ms_under_ingest: figure,
  rate_at_half_load: figure,
  ingest_rps_during: figure,
  errors: z.number().int(),
  concurrency: z.number().int(),
  stored_calls: z.number().int(),
  /** Mean shared buffers the lookup statement touches on random stored calls (EXPLAIN ANALYZE, BUFFERS). */
  buffers_per_lookup: figure,
  /** Bytes of every call table (heap, TOAST and indexes) over the calls stored. */
  bytes_per_call: figure,
  cpu_cores: z.record(z.string(), cores),
});

/** What growth measures at 0 and at the stored size, in each round and as the rounds' means. */
const growthFigures = {
  consumer_callbacks_per_s_at_0: figure,
  consumer_callbacks_per_s_at_stored: figure,
  query_p99_ms_at_0: figure,
  query_p99_ms_at_stored: figure,
  buffers_per_lookup_at_0: figure,
  buffers_per_lookup_at_stored: figure,
  bytes_per_call_at_0: figure,
  bytes_per_call_at_stored: figure,
};

export const growthResultSchema = z.object({
  stored_calls: z.number().int(),
  bulk_load_s: figure,
  ...growthFigures,
  throughput_ratio: figure,
  /** p99 at 0 over p99 at the stored size: 1 means no slower, the target is >= 0.8. */
  p99_ratio: figure,
  query_rate: figure,
  /** Callbacks per drain. */
  drain_calls: z.number().int(),
  /** Each round measured at 0, then at the stored size; the figures above are their means. */
  rounds: z.array(
    z.object({
      ...growthFigures,
      /** Lookups failed or dropped; past 1% of them, the p99 is the client's timeout (10 s). */
      lookups_failed_at_0: z.number().int(),
      lookups_failed_at_stored: z.number().int(),
    }),
  ),
});

export const machineSchema = z.object({
  mode: z.enum(['quick', 'full']),
  /** Stages asked for that have no result, and why (the run goes on without them). */
  failures: z.record(z.string(), z.string()),
  started_at: z.string(),
  duration_s: z.number(),
  cpus: z.number().int(),
  cpu_model: z.string(),
  memory_gb: z.number(),
  os: z.string(),
  node: z.string(),
  postgres: z.string(),
  kafka: z.string(),
  load_average_at_start: z.array(z.number()),
  load_average_at_end: z.array(z.number()),
  note: z.string(),
});

export const benchResultsSchema = z.object({
  ingress: ingressResultSchema.nullable(),
  kafka: kafkaResultSchema.nullable(),
  consumer: consumerResultSchema.nullable(),
  freshness: freshnessResultSchema.nullable(),
  query: queryResultSchema.nullable(),
  growth: growthResultSchema.nullable(),
  machine: machineSchema,
});

export type IngressResult = z.output<typeof ingressResultSchema>;
export type KafkaResult = z.output<typeof kafkaResultSchema>;
export type ConsumerResult = z.output<typeof consumerResultSchema>;
export type FreshnessResult = z.output<typeof freshnessResultSchema>;
export type QueryResult = z.output<typeof queryResultSchema>;
export type GrowthResult = z.output<typeof growthResultSchema>;
export type BenchResults = z.output<typeof benchResultsSchema>;

/** NaN and ±Infinity (no samples, division by zero) become null, as JSON cannot carry them. */
export function finiteOrNull(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(finiteOrNull);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, finiteOrNull(v)]));
  return value;
}

export function writeResults(directory: string, results: unknown): { latest: string; dated: string; results: BenchResults } {
  const checked = benchResultsSchema.parse(finiteOrNull(results));
  mkdirSync(directory, { recursive: true });
  const text = `${JSON.stringify(checked, null, 2)}\n`;
  const latest = join(directory, 'latest.json');
  const dated = join(directory, `${checked.machine.started_at.replace(/[:.]/g, '-')}-${checked.machine.mode}.json`);
  writeFileSync(latest, text);
  writeFileSync(dated, text);
  return { latest, dated, results: checked };
}
