import type { Producer } from 'kafkajs';
import { recordHeaders, recordKey, type Envelope } from '../../../shared/callback/envelope.ts';
import { rejectedKey, type RejectedCallback } from '../quarantine-record.ts';
import { createCoalescingProducer, type PublishObserver, type PublishSettings } from './coalescing-producer.ts';

export { PublishError, type PublishErrorCode, type PublishObserver, type PublishSettings } from './coalescing-producer.ts';

/**
 * What the ingress publishes: envelopes on the call-records topic and refused callbacks on the quarantine
 * topic, both through one coalescing producer (one queue bound, one view of the broker's health). Each
 * call resolves only once Kafka acknowledged the record with acks=all, and rejects with a PublishError.
 */
export interface CallRecordPublisher {
  publish(envelope: Envelope): Promise<void>;
  quarantine(rejected: RejectedCallback): Promise<void>;
  /** Records waiting for a batch or in flight. */
  queueDepth(): number;
  /** The producer reaches Kafka: false after a failed or timed-out send until a reconnect succeeds. */
  isConnected(): Promise<boolean>;
}

export function createCallRecordPublisher(
  producer: Producer,
  topics: { callRecords: string; rejected: string },
  settings: PublishSettings,
  observer?: PublishObserver,
): CallRecordPublisher {
  const coalescing = createCoalescingProducer(producer, settings, observer);
  return {
    publish: (envelope) =>
      coalescing.send({
        topic: topics.callRecords,
        key: recordKey(envelope.tenantId, envelope.callback.callId),
        value: JSON.stringify(envelope),
        headers: recordHeaders(envelope),
      }),
    quarantine: (rejected) =>
      coalescing.send({
        topic: topics.rejected,
        key: rejectedKey(rejected),
        value: JSON.stringify(rejected),
        headers: recordHeaders(rejected),
      }),
    queueDepth: () => coalescing.depth(),
    isConnected: async () => coalescing.isConnected(),
  };
}
