import { describe, expect, it } from 'vitest';
import { metricNames } from '../../kit/promql.ts';

describe('metricNames', () => {
  it('finds the metrics of an expression, not its functions, labels, keywords, ranges or numbers', () => {
    expect(
      metricNames(
        'sum(rate(http_requests_total{service="ingress", status_code=~"5.."}[5m])) / sum by (route, le) (rate(http_requests_total[5m])) > 0.05',
      ),
    ).toEqual(['http_requests_total']);
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(consumer_freshness_seconds_bucket[$__rate_interval])))')).toEqual([
      'consumer_freshness_seconds_bucket',
    ]);
    expect(
      metricNames(
        'sum by (tenant_id) (increase(ingress_tenant_callbacks_total[1h])) == 0\n and sum by (tenant_id) (increase(ingress_tenant_callbacks_total[1h] offset 1d)) > 10',
      ),
    ).toEqual(['ingress_tenant_callbacks_total']);
    expect(metricNames('up{job="callstream"} == 0 or readiness_check_ok{check="kafka, postgres"} == bool 0')).toEqual([
      'readiness_check_ok',
      'up',
    ]);
    expect(metricNames('sum(a:recorded:rate5m) / ignoring(x) group_left(y) b_total')).toEqual(['a:recorded:rate5m', 'b_total']);
  });
});
