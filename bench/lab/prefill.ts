import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { compressionType } from '../../shared/kafka/codecs.ts';
import { envelopeOf, recordOf } from '../../kit/callbacks.ts';
import { callIdOf } from '../generator/callback.ts';
import type { Lab } from './lab.ts';

/**
 * Fills a topic with what the ingress would have published for `count` callbacks (the topic contract,
 * docs/topic-contract.md), straight from the bench, in the run's KAFKA_COMPRESSION codec: the consumer
 * stage measures the consumer alone, decompression included.
 */
const BATCH = 250;

export function recordFor(lab: Lab, index: number, callId: string): Message {
  return recordOf(envelopeOf(lab.tenant.tenantId, JSON.parse(lab.payloads.body(index, callId)), randomUUID(), new Date()));
}

/** Mean size of a record value (the envelope) over the payload templates. */
export function meanRecordBytes(lab: Lab): number {
  let total = 0;
  for (let index = 0; index < lab.payloads.templates; index += 1) {
    total += Buffer.byteLength(recordFor(lab, index, callIdOf('00000000-0000-4000-8000-', index)).value as string);
  }
  return Math.round(total / lab.payloads.templates);
}

export async function prefillTopic(lab: Lab, topic: string, prefix: string, count: number): Promise<void> {
  const producer = lab.kafka.producer({ allowAutoTopicCreation: false });
  const compression = compressionType(lab.config.KAFKA_COMPRESSION);
  await producer.connect();
  try {
    for (let first = 0; first < count; first += BATCH) {
      const messages: Message[] = [];
      for (let index = first; index < Math.min(count, first + BATCH); index += 1) {
        messages.push(recordFor(lab, index, callIdOf(prefix, index)));
      }
      await producer.send({ topic, acks: -1, compression, messages });
    }
  } finally {
    await producer.disconnect();
  }
}
