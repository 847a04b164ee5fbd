import { metricValue } from '../kit/prometheus-text.ts';
import { createTenantRepository } from '../shared/tenants/repository.ts';
import { availability } from './availability.ts';
import { startLoad, type Exchange } from './load.ts';
import { measureSaturation, startFlood } from './flood.ts';
import { mergeCounts, mergeLoads } from './merge-loads.ts';
import type { Scenario } from './scenario.ts';
import { sleep } from './timeline.ts';

/**
 * One tenant in a retry storm beside another that sends as usual: saturation is measured with tenant A
 * alone (closed-loop senders, no rate), then A offers three times that while tenant B sends at 5 % of it.
 * B's requests answered 2xx, out of all it sent, are `other_tenant_accepted_ratio`; A is to be shed with
 * 503 + Retry-After (its share of the publish queue, fairness/queue-share.ts) or 429 (its token bucket),
 * the ingress is not to crash, and the calls of both are reconciled like any scenario's.
 */

/** The answers by status of the exchanges sent in [start, end). */
function answersBetween(exchanges: readonly Exchange[], start: number, end: number): Record<string, number> {
  return mergeCounts(
    ...exchanges.filter((exchange) => exchange.sentAt >= start && exchange.sentAt < end).map((exchange) => ({ [exchange.status]: 1 })),
  );
}

const isSuccess = (exchange: Exchange) => typeof exchange.status === 'number' && exchange.status >= 200 && exchange.status < 300;

export const tenantFlood: Scenario = {
  name: 'tenant-flood',
  description:
    'saturation measured with tenant A alone; then A offers 3x that (up to 4,000 requests in flight) while tenant B sends at 5 % of it: B must be served (other_tenant_accepted_ratio >= 0.99), A shed with 503/429 + Retry-After, nothing accepted lost',
  // The queue of overload-3x, so that one machine's senders can fill it; its share is the default half.
  pipeline: { ingressEnv: { PRODUCE_QUEUE_LIMIT: '500', PRODUCE_TIMEOUT_MS: '2000' } },
  async inject() {},
  async drive(context, base) {
    const { pipeline } = context;
    const measured = await measureSaturation(context, base, ' (tenant A alone)');
    const { phaseMs: phase, calibration, perSecond: saturation } = measured;

    const other = await createTenantRepository(pipeline.pool).create({ name: 'chaos tenant B', timezone: 'Asia/Tokyo' });
    const floodStart = Date.now();
    const flooding = startFlood(base, measured, 3);
    const steady = startLoad({
      ...base,
      url: `${pipeline.ingress.url}/v1/tenants/${other.tenantId}/call-records`,
      token: other.ingestToken,
      firstCall: 2_000_000,
      ratePerSecond: 0.05 * saturation,
      concurrency: 8,
      durationMs: 2 * phase,
      retryGraceMs: 60_000,
    });
    context.faultStarts(`tenant A offers ${(3 * saturation).toFixed(0)}/s, tenant B ${(0.05 * saturation).toFixed(0)}/s`);
    await sleep(2 * phase);
    const floodEnd = Date.now();
    context.faultEnds('tenant A stops flooding');
    const [flooded, served] = await Promise.all([flooding.done, steady.done]);

    const metrics = await fetch(`${pipeline.ingress.url}/metrics`).then((response) => response.text());
    const seenByB = availability(served.exchanges, [{ start: floodStart, end: Date.now() }]);
    const floodAnswers = answersBetween(flooded.exchanges, floodStart, floodEnd);
    const offered = Object.values(floodAnswers).reduce((total, count) => total + count, 0) / ((floodEnd - floodStart) / 1_000);
    return {
      // The pipeline's tenant is A; B's calls are counted against B's stored calls.
      load: { ...mergeLoads(calibration, flooded, served), calls: [...calibration.calls, ...flooded.calls] },
      otherTenants: [{ tenantId: other.tenantId, calls: served.calls }],
      extra: {
        saturationPerSecond: Math.round(saturation),
        offeredPerSecondByA: Math.round(offered),
        flooding_tenant_answers: floodAnswers,
        flooding_tenant_shed: (floodAnswers['503'] ?? 0) + (floodAnswers['429'] ?? 0),
        queue_share_exceeded: metricValue(metrics, 'ingress_tenant_queue_share_exceeded_total') ?? 0,
        other_tenant_requests: served.requests,
        other_tenant_answers: mergeCounts({ 200: served.accepted }, served.rejected),
        other_tenant_accepted_ratio:
          served.exchanges.length === 0 ? 0 : served.exchanges.filter(isSuccess).length / served.exchanges.length,
        other_tenant_p99_ms: seenByB.p99_ms_during_fault,
        other_tenant_max_ms: seenByB.max_ms_during_fault,
      },
    };
  },
};
