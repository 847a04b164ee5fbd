import type { Producer } from 'kafkajs';
import { recordHeaders, recordKey, type Envelope } from '../callback/envelope.ts';

/** Publishes envelopes to the call-records topic; resolves only once the broker acknowledged with acks=all. */
export interface CallRecordPublisher {
  publish(envelope: Envelope): Promise<void>;
}

export function createCallRecordPublisher(producer: Producer, topic: string): CallRecordPublisher {
  return {
    async publish(envelope) {
      await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: recordKey(envelope.tenantId, envelope.callback.callId),
            value: JSON.stringify(envelope),
            headers: recordHeaders(envelope),
          },
        ],
      });
    },
  };
}
