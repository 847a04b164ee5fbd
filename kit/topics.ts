import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, ensureTopics } from '../../shared/kafka/client.ts';

/** Each test gets its own topics and consumer groups (random suffix), so tests never see each other. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${randomBytes(5).toString('hex')}`;
}

export interface TestTopics {
  callRecords: string;
  rejected: string;
  dlq: string;
}

export async function createTestTopics(kafka: Kafka, partitions = 3): Promise<TestTopics> {
  const topics = {
    callRecords: uniqueName('test.call-records'),
    rejected: uniqueName('test.call-records.rejected'),
    dlq: uniqueName('test.call-records.dlq'),
  };
  await ensureTopics(kafka, Object.values(topics), partitions);
  return topics;
}

export function testKafka(brokers: string[]): Kafka {
  return createKafka({ clientId: uniqueName('callstream-test'), brokers });
}

/** Reads a topic from the beginning until `count` messages arrived (or fails after timeoutMs). */
export async function readMessages(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('test-reader') });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${messages.length} of ${count} messages from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          messages.push(message);
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
