import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CallRecordPublisher, PublishObserver } from './publish/call-record-publisher.ts';
import { SIGNATURE_REFUSALS } from './signature/callback-signature.ts';

/**
 * Ingress metrics beyond the per-route request counts and latencies of shared/metrics.ts: what reached
 * Kafka, what was quarantined, how well requests coalesce into produce requests and how full the queue is.
 */
export interface IngressMetrics {
  produced: Counter;
  quarantined: Counter;
  rateLimited: Counter;
  queueShareExceeded: Counter;
  signatureRefused: Counter<'reason'>;
  /** Every answer but a 200 on the callbacks route, by its error code. */
  refused: Counter<'code'>;
  /** A callback of the tenant acknowledged by Kafka: counted by tenant for the tenants METRICS_TENANT_IDS names. */
  acceptedFor(tenantId: string): void;
}

export function ingressMetrics(registry: Registry, publisher: CallRecordPublisher, tenantIds: readonly string[] = []): IngressMetrics {
  const byTenant = new Counter({
    name: 'ingress_tenant_callbacks_total',
    help: 'Callbacks acknowledged by Kafka, by tenant, for the tenants METRICS_TENANT_IDS lists (and no other)',
    labelNames: ['tenant_id'] as const,
    registers: [registry],
  });
  const counted = new Map(tenantIds.map((tenantId) => [tenantId, byTenant.labels(tenantId)]));
  for (const child of counted.values()) child.inc(0);
  new Gauge({
    name: 'ingress_publish_queue_depth',
    help: 'Records waiting for a produce request or awaiting its acknowledgement',
    registers: [registry],
    collect() {
      this.set(publisher.queueDepth());
    },
  });
  new Gauge({
    name: 'ingress_publish_oldest_age_seconds',
    help: 'Seconds the oldest record waiting for a produce request or for its acknowledgement has waited; 0 when none waits',
    registers: [registry],
    collect() {
      this.set(publisher.oldestUnacknowledgedSeconds());
    },
  });
  const signatureRefused = new Counter({
    name: 'ingress_callback_signature_refused_total',
    help: 'Callbacks refused with 401 because their tenant signs them and the signature was missing, malformed, wrong or too old',
    // The reason only, from a closed list; no tenant, for the reason the rate limit's counter has none.
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of SIGNATURE_REFUSALS) signatureRefused.inc({ reason }, 0);
  return {
    acceptedFor: (tenantId) => counted.get(tenantId)?.inc(),
    signatureRefused,
    refused: new Counter({
      name: 'ingress_callbacks_refused_total',
      help: 'Callbacks answered with an error instead of 200, by the error code of the answer (SCHEMA_VIOLATION: quarantined)',
      // A closed list (shared/http/error-codes.ts), a few dozen values at most.
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    produced: new Counter({
      name: 'ingress_records_produced_total',
      help: 'Callbacks acknowledged by Kafka (acks=all) on the call-records topic',
      registers: [registry],
    }),
    quarantined: new Counter({
      name: 'ingress_callbacks_quarantined_total',
      help: 'Callbacks refused with 422 and kept on the quarantine topic',
      registers: [registry],
    }),
    // No tenant label: nothing bounds how many tenants there are, and each would be a series of its own.
    rateLimited: new Counter({
      name: 'ingress_tenant_rate_limited_total',
      help: 'Callbacks refused with 429 because their tenant exceeded its rate limit',
      registers: [registry],
    }),
    queueShareExceeded: new Counter({
      name: 'ingress_tenant_queue_share_exceeded_total',
      help: 'Callbacks refused with 503 because their tenant held its share of a nearly full publish queue',
      registers: [registry],
    }),
  };
}

/** Handed to createCallRecordPublisher, which is built before the server. */
export function publishBatchMetrics(registry: Registry): PublishObserver {
  const batches = new Histogram({
    name: 'ingress_produce_batch_records',
    help: 'Records per produce request, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const publishSeconds = new Histogram({
    name: 'ingress_publish_duration_seconds',
    help: 'From a record handed to the producer to its acknowledgement by Kafka (acks=all), its wait in the queue included',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  return {
    batchSettled(records, ok) {
      batches.observe({ outcome: ok ? 'acknowledged' : 'failed' }, records);
    },
    recordAcknowledged: (seconds) => publishSeconds.observe(seconds),
  };
}
