import { describe, expect, it } from 'vitest';
import { benchResultsSchema, finiteOrNull } from '../results.ts';
import { percentile, summarize } from '../load/latency.ts';

/** bench/results/latest.json keeps the shape issue 6 gives, and latency percentiles are nearest-rank. */
const cores = { ingress: 0.9, kafka: 0.4, postgres: 0, loadgen: 0.2, machine: 1.9, others: 0.4 };
const sample = {
  ingress: {
    rps: 1800,
    p50_ms: 4.1,
    p99_ms: 21.5,
    p99_ms_saturated: 80,
    baseline_rps: 3400,
    baseline_p99_ms_saturated: 40,
    baseline_p99_ms_at_half_load: 3,
    ratio: 0.529,
    rate_at_half_load: 900,
    achieved_rps_at_half_load: 899,
    errors: 0,
    statuses: { saturated: { '200': 54_000 }, half_load: { '200': 27_000 } },
    concurrency: 64,
    cpu_cores: { baseline: cores, saturated: cores, half_load: cores },
    compression: 'lz4',
    value_bytes_per_callback: 4938,
    topic_bytes: {
      saturated: { bytes_per_callback: 1210, records_per_batch: 41.5, records: 60_000 },
      half_load: { bytes_per_callback: 1490, records_per_batch: 4.2, records: 27_000 },
    },
  },
  kafka: { records_per_s: 20_000, mb_per_s: 98.5, record_bytes: 4938, records: 200_000, p50_ms: 40, p99_ms: 120, ratio: 0.09 },
  consumer: {
    callbacks_per_s: 900,
    rows_per_s: 29_000,
    baseline_rows_per_s: 50_000,
    ratio: 0.58,
    callbacks: 20_000,
    rows: 650_000,
    rows_per_table: { calls: 20_000, dialogue_lines: 500_000 },
    baseline_s: 13,
    cpu_cores: cores,
    backend_states: { active: 0.4, idle_in_transaction: 0.1, idle: 0.5 },
  },
  freshness: {
    p50_ms: 40,
    p95_ms: 90,
    p99_ms: 180,
    max_ms: 300,
    samples: 600,
    timeouts: 0,
    ingest_rps: 900,
    ingest_errors: 0,
    ingest_statuses: { '200': 27_000 },
    cpu_cores: cores,
    quarter_load: { ingest_rps: 450, p50_ms: 30, p95_ms: 60, p99_ms: 90, samples: 300, timeouts: 0, cpu_cores: cores },
  },
  query: {
    rps: 3000,
    p99_ms: 4,
    p50_ms: 1.2,
    p99_ms_saturated: 12,
    baseline_tps: 5000,
    baseline_tps_unprepared: 2500,
    ratio: 0.6,
    p99_ms_under_ingest: 14,
    rate_at_half_load: 1500,
    ingest_rps_during: 900,
    errors: 0,
    concurrency: 16,
    stored_calls: 20_000,
    buffers_per_lookup: 4.1,
    bytes_per_call: 5_900,
    cpu_cores: { saturated: cores },
  },
  growth: {
    stored_calls: 2_000_000,
    bulk_load_s: 600,
    consumer_callbacks_per_s_at_0: 900,
    consumer_callbacks_per_s_at_stored: 800,
    throughput_ratio: 0.889,
    query_p99_ms_at_0: 4,
    query_p99_ms_at_stored: 4.5,
    buffers_per_lookup_at_0: 4,
    buffers_per_lookup_at_stored: 5,
    bytes_per_call_at_0: 5_800,
    bytes_per_call_at_stored: 5_900,
    p99_ratio: 0.889,
    query_rate: 1500,
    drain_calls: 10_000,
    rounds: [
      {
        consumer_callbacks_per_s_at_0: 900,
        consumer_callbacks_per_s_at_stored: 800,
        query_p99_ms_at_0: 4,
        query_p99_ms_at_stored: 4.5,
        buffers_per_lookup_at_0: 4,
        buffers_per_lookup_at_stored: 5,
        bytes_per_call_at_0: 5_800,
        bytes_per_call_at_stored: 5_900,
        lookups_failed_at_0: 0,
        lookups_failed_at_stored: 0,
      },
    ],
  },
  machine: {
    mode: 'full',
    failures: {},
    started_at: '2026-01-02T03:04:05.000Z',
    duration_s: 1800,
    cpus: 2,
    cpu_model: 'AMD EPYC',
    memory_gb: 25,
    os: 'Linux 6.1',
    node: 'v20.20.2',
    postgres: '15.20',
    kafka: '3.9.1',
    load_average_at_start: [1, 1, 1],
    load_average_at_end: [2, 2, 2],
    note: 'shared machine',
  },
};

describe('bench result file', () => {
  it('accepts a full run with every stage, unchanged', () => {
    expect(benchResultsSchema.parse(sample)).toEqual(sample);
  });

  it('has exactly the top-level keys of the issue, with growth null in a quick run', () => {
    expect(Object.keys(benchResultsSchema.shape)).toEqual(['ingress', 'kafka', 'consumer', 'freshness', 'query', 'growth', 'machine']);
    expect(benchResultsSchema.parse({ ...sample, growth: null }).growth).toBeNull();
  });

  it('rejects a stage without its baseline or ratio', () => {
    const { baseline_rows_per_s: _dropped, ...consumer } = sample.consumer;
    expect(benchResultsSchema.safeParse({ ...sample, consumer }).success).toBe(false);
    expect(benchResultsSchema.safeParse({ ...sample, ingress: { ...sample.ingress, ratio: 'fast' } }).success).toBe(false);
  });

  it('writes a figure without samples as null, never NaN or 0', () => {
    const freshness = finiteOrNull({ ...sample.freshness, p99_ms: Number.NaN, max_ms: Number.POSITIVE_INFINITY });
    expect(benchResultsSchema.parse({ ...sample, freshness }).freshness).toMatchObject({ p99_ms: null, max_ms: null, p50_ms: 40 });
  });
});

describe('latency percentiles', () => {
  it('takes the nearest rank: p99 of 1..100 ms is 99 ms, p50 is 50 ms', () => {
    const samples = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(summarize(samples)).toEqual({ count: 100, mean_ms: 50.5, p50_ms: 50, p95_ms: 95, p99_ms: 99, max_ms: 100 });
  });

  it('gives one sample for every percentile and NaN for none', () => {
    expect(percentile(Float64Array.of(7), 0.99)).toBe(7);
    expect(summarize([]).p99_ms).toBeNaN();
  });
});
