import type { SpanContext, Tracer } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import type { Config } from '../../../shared/config.ts';
import { recordHeaders, recordKey, type Envelope } from '../../../shared/callback/envelope.ts';
import { traceHeaders } from '../../../shared/tracing/propagation.ts';
import { createQueueShare, queueShareLimits } from '../fairness/queue-share.ts';
import { rejectedKey, type RejectedCallback } from '../quarantine-record.ts';
import {
  createCoalescingProducer,
  PublishError,
  type OutgoingRecord,
  type PublishObserver,
  type PublishSettings,
} from './coalescing-producer.ts';

export { PublishError, type PublishErrorCode, type PublishObserver, type PublishSettings } from './coalescing-producer.ts';

/**
 * What the ingress publishes: envelopes on the call-records topic and refused callbacks on the quarantine
 * topic, both through one coalescing producer (one queue bound, one view of the broker's health), each
 * record counted against its tenant's share of the queue (fairness/queue-share.ts). Each call resolves
 * only once Kafka acknowledged the record with acks=all, and rejects with a PublishError. Every record
 * carries the traceparent of the request span it came from (docs/topic-contract.md), and the produce
 * request that takes it is a span linked to each of those.
 */
export interface CallRecordPublisher {
  publish(envelope: Envelope, trace: SpanContext): Promise<void>;
  quarantine(rejected: RejectedCallback, trace: SpanContext): Promise<void>;
  /** Whether a record of the tenant would be taken now: false while it holds its share of a nearly full queue. */
  hasRoomFor(tenantId: string): boolean;
  /** Records waiting for a batch or in flight. */
  queueDepth(): number;
  /** Seconds the oldest record not yet acknowledged by Kafka has waited; 0 when none waits. */
  oldestUnacknowledgedSeconds(): number;
  /** The producer reaches Kafka: false after a failed or timed-out send until a reconnect succeeds. */
  isConnected(): Promise<boolean>;
}

export type PublisherSettings = PublishSettings & Pick<Config, 'TENANT_QUEUE_SHARE_FROM_PERCENT'>;

export function createCallRecordPublisher(
  producer: Producer,
  topics: { callRecords: string; rejected: string },
  settings: PublisherSettings,
  observer?: PublishObserver,
  tracer?: Tracer,
): CallRecordPublisher {
  const coalescing = createCoalescingProducer(producer, settings, observer, tracer);
  const share = createQueueShare(queueShareLimits(settings));
  const hasRoomFor = (tenantId: string) => share.admits(tenantId, coalescing.depth());

  // Checked and entered in the same turn as the queue's own check, so no other record comes in between.
  function send(tenantId: string, record: OutgoingRecord, trace: SpanContext): Promise<void> {
    if (!hasRoomFor(tenantId)) {
      const message = `the tenant holds ${share.held(tenantId)} of the ${coalescing.depth()} records waiting for Kafka, its share`;
      return Promise.reject(new PublishError('QUEUE_SHARE_EXCEEDED', message));
    }
    const leave = share.enter(tenantId);
    return coalescing.send(record, trace).finally(leave);
  }

  return {
    publish: (envelope, trace) =>
      send(
        envelope.tenantId,
        {
          topic: topics.callRecords,
          key: recordKey(envelope.tenantId, envelope.callback.callId),
          value: JSON.stringify(envelope),
          headers: { ...recordHeaders(envelope), ...traceHeaders(trace) },
        },
        trace,
      ),
    quarantine: (rejected, trace) =>
      send(
        rejected.tenantId,
        {
          topic: topics.rejected,
          key: rejectedKey(rejected),
          value: JSON.stringify(rejected),
          headers: { ...recordHeaders(rejected), ...traceHeaders(trace) },
        },
        trace,
      ),
    hasRoomFor,
    queueDepth: () => coalescing.depth(),
    oldestUnacknowledgedSeconds: () => coalescing.oldestAgeSeconds(),
    isConnected: async () => coalescing.isConnected(),
  };
}
