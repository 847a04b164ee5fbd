import type { BenchResults } from './results.ts';

/**
 * The stdout table: per stage the measured figure, its baseline from the same run, the ratio, and the
 * issue's target with whether this run met it.
 */
interface Row {
  stage: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  met: boolean | undefined;
}

const n = (value: number | null | undefined, unit = '') => (value === null || value === undefined ? 'n/a' : `${value}${unit}`);
const atLeast = (value: number | null | undefined, limit: number) => (value === null || value === undefined ? false : value >= limit);
const atMost = (value: number | null | undefined, limit: number) => (value === null || value === undefined ? false : value <= limit);

export function tableRows(results: BenchResults): Row[] {
  const rows: Row[] = [];
  const { ingress, kafka, consumer, freshness, query, growth } = results;
  if (ingress) {
    rows.push({
      stage: 'ingress',
      measured:
        `${n(ingress.rps)} cb/s sat. (p99 ${n(ingress.p99_ms_saturated, ' ms')}); p99 ${n(ingress.p99_ms, ' ms')} at 50%; ` +
        `${n(ingress.topic_bytes.half_load.bytes_per_callback, ' B')}/cb on the topic at 50% (${ingress.compression})`,
      baseline: `${n(ingress.baseline_rps)} req/s bare Fastify`,
      ratio: n(ingress.ratio),
      target: '>= 0.5, p99 <= 25 ms',
      met: atLeast(ingress.ratio, 0.5) && atMost(ingress.p99_ms, 25),
    });
  }
  if (kafka) {
    rows.push({
      stage: 'kafka',
      measured: `ingress ${n(ingress?.rps)} cb/s`,
      baseline: `${n(kafka.records_per_s)} rec/s perf tool (${kafka.record_bytes} B, acks=all)`,
      ratio: n(kafka.ratio),
      target: '(ceiling)',
      met: undefined,
    });
  }
  if (consumer) {
    rows.push({
      stage: 'consumer',
      measured: `${n(consumer.callbacks_per_s)} cb/s = ${n(consumer.rows_per_s)} rows/s`,
      baseline: `${n(consumer.baseline_rows_per_s)} rows/s COPY`,
      ratio: n(consumer.ratio),
      target: '>= 0.5',
      met: atLeast(consumer.ratio, 0.5),
    });
  }
  if (freshness) {
    rows.push({
      stage: 'freshness',
      measured:
        `p50 ${n(freshness.p50_ms)} / p95 ${n(freshness.p95_ms)} / p99 ${n(freshness.p99_ms)} ms; ` +
        `at 25% (${n(freshness.quarter_load.ingest_rps)} cb/s) p99 ${n(freshness.quarter_load.p99_ms)} ms`,
      baseline: `at ${n(freshness.ingest_rps)} cb/s`,
      ratio: '',
      target: 'p99 <= 250 ms',
      met: atMost(freshness.p99_ms, 250) && freshness.timeouts === 0,
    });
  }
  if (query) {
    rows.push({
      stage: 'query',
      measured: `${n(query.rps)} req/s; p99 ${n(query.p99_ms, ' ms')} at 50%, ${n(query.p99_ms_under_ingest, ' ms')} under ingest; ${n(query.buffers_per_lookup)} buffers/lookup, ${n(query.bytes_per_call)} B/call`,
      baseline: `${n(query.baseline_tps)} tps pgbench`,
      ratio: n(query.ratio),
      target: '>= 0.5, p99 <= 5 / 15 ms, <= 6 buffers, <= 6 KB',
      met:
        atLeast(query.ratio, 0.5) &&
        atMost(query.p99_ms, 5) &&
        atMost(query.p99_ms_under_ingest, 15) &&
        atMost(query.buffers_per_lookup, 6) &&
        atMost(query.bytes_per_call, 6_144),
    });
  }
  if (growth) {
    rows.push({
      stage: 'growth',
      measured: `at ${growth.stored_calls} calls: ${n(growth.consumer_callbacks_per_s_at_stored)} cb/s, p99 ${n(growth.query_p99_ms_at_stored, ' ms')}, ${n(growth.buffers_per_lookup_at_stored)} buffers/lookup, ${n(growth.bytes_per_call_at_stored)} B/call`,
      baseline: `at 0: ${n(growth.consumer_callbacks_per_s_at_0)} cb/s, p99 ${n(growth.query_p99_ms_at_0, ' ms')}, ${n(growth.buffers_per_lookup_at_0)} buffers/lookup (lookups at ${n(growth.query_rate)}/s)`,
      ratio: `${n(growth.throughput_ratio)} / ${n(growth.p99_ratio)}`,
      target: '>= 0.8 / >= 0.8',
      met: atLeast(growth.throughput_ratio, 0.8) && atLeast(growth.p99_ratio, 0.8),
    });
  }
  return rows;
}

export function renderTable(results: BenchResults): string {
  const header = ['stage', 'measured', 'baseline (same run)', 'ratio', 'target', 'met'];
  const body = tableRows(results).map((row) => [
    row.stage,
    row.measured,
    row.baseline,
    row.ratio,
    row.target,
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const { machine } = results;
  return [
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...body.map(line),
    '',
    `${machine.mode} run, ${machine.started_at}, ${machine.duration_s} s; ${machine.cpus} × ${machine.cpu_model}, ${machine.memory_gb} GB; ` +
      `load average ${machine.load_average_at_start.join(' ')} → ${machine.load_average_at_end.join(' ')}`,
    machine.note,
    ...Object.entries(machine.failures).map(([stage, reason]) => `no result for ${stage}: ${reason}`),
  ].join('\n');
}
