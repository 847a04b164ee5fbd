import { describe, expect, it } from 'vitest';
import { metricValue, parsePrometheusText } from '../../kit/prometheus-text.ts';

/** The kit's one reader of /metrics answers, on text in the form prom-client prints. */
const TEXT = [
  '# HELP consumer_messages_total Messages handled.',
  '# TYPE consumer_messages_total counter',
  'consumer_messages_total{service="consumer"} 10',
  'consumer_dead_letters_total{code="INVALID_JSON",service="consumer"} 2',
  'consumer_dead_letters_total{service="consumer",code="UNKNOWN_TENANT"} 3',
  'ingress_produce_batch_records_bucket{le="+Inf",outcome="acknowledged",service="ingress"} 4',
  'odd_label{path="a \\"quoted\\" \\\\ value"} 1',
  'uptime 12.5',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads every sample with its labels and skips comments and blank lines', () => {
    expect(parsePrometheusText(TEXT)).toEqual([
      { name: 'consumer_messages_total', labels: { service: 'consumer' }, value: 10 },
      { name: 'consumer_dead_letters_total', labels: { code: 'INVALID_JSON', service: 'consumer' }, value: 2 },
      { name: 'consumer_dead_letters_total', labels: { service: 'consumer', code: 'UNKNOWN_TENANT' }, value: 3 },
      { name: 'ingress_produce_batch_records_bucket', labels: { le: '+Inf', outcome: 'acknowledged', service: 'ingress' }, value: 4 },
      { name: 'odd_label', labels: { path: 'a "quoted" \\ value' }, value: 1 },
      { name: 'uptime', labels: {}, value: 12.5 },
    ]);
  });
});

describe('metricValue', () => {
  it('sums the samples whose labels include the given ones, in whatever order they are printed', () => {
    expect(metricValue(TEXT, 'consumer_dead_letters_total')).toBe(5);
    expect(metricValue(TEXT, 'consumer_dead_letters_total', { code: 'UNKNOWN_TENANT' })).toBe(3);
    expect(metricValue(TEXT, 'uptime')).toBe(12.5);
  });

  it('is undefined for a metric or a label value that is not there, never 0', () => {
    expect(metricValue(TEXT, 'consumer_batch_retries_total')).toBeUndefined();
    expect(metricValue(TEXT, 'consumer_dead_letters_total', { code: 'NO_SUCH_CODE' })).toBeUndefined();
  });
});
