import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../shared/kafka/client.ts';
import { TOPIC_MAX_MESSAGE_BYTES } from '../shared/kafka/topic-settings.ts';
import { ensureTopics } from '../shared/kafka/topics.ts';
import type { KafkaConnection } from '../shared/kafka/settings.ts';

/**
 * Topics and consumer groups of their own (random suffix), so that tests, chaos scenarios and bench
 * stages on one broker never see each other's records.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}.${randomBytes(5).toString('hex')}`;
}

/** The three topics of the topic contract (docs/topic-contract.md). */
export interface TopicSet {
  callRecords: string;
  rejected: string;
  dlq: string;
}

const CREATE_ATTEMPTS = 5;

/** `<prefix>.call-records.<suffix>` and its rejected and dlq topics, created with `partitions` each. */
export async function createTopicSet(kafka: Kafka, prefix: string, partitions = 3): Promise<TopicSet> {
  const suffix = randomBytes(5).toString('hex');
  const topics = {
    callRecords: `${prefix}.call-records.${suffix}`,
    rejected: `${prefix}.call-records.rejected.${suffix}`,
    dlq: `${prefix}.call-records.dlq.${suffix}`,
  };
  // A broker starved of CPU or disk (a bulk load, other test runs) can take longer than the admin
  // client waits for the new partitions' leaders; creating them again is harmless.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureTopics(
        kafka,
        Object.values(topics).map((name) => ({ name, partitions, maxMessageBytes: TOPIC_MAX_MESSAGE_BYTES })),
      );
      return topics;
    } catch (error) {
      if (attempt >= CREATE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    }
  }
}

/** A test's topics: `test.call-records.<suffix>` and the rest. */
export function createTestTopics(kafka: Kafka, partitions = 3): Promise<TopicSet> {
  return createTopicSet(kafka, 'test', partitions);
}

export async function deleteTopicSet(kafka: Kafka, topics: TopicSet): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: Object.values(topics) });
  } finally {
    await admin.disconnect();
  }
}

/** The kafkajs client of a test, under a client id of its own. */
export function testKafka(brokers: string[], connection: KafkaConnection = {}): Kafka {
  return createKafka({ clientId: uniqueName('callstream-test'), brokers, connection });
}
