import type { Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './topics.ts';

/**
 * Reading what is on a topic, from the beginning, with a consumer group of its own (a new group per read
 * unless one is given), so the read commits nothing that a consumer under test would see.
 */
export interface TopicMessage {
  partition: number;
  message: KafkaMessage;
}

export interface ReadOptions {
  groupId?: string;
  timeoutMs?: number;
}

/**
 * The first `count` distinct messages to arrive (in arrival order, with their partitions); fails after
 * timeoutMs. A rebalance of the reading group can hand a partition over again from an earlier offset, so
 * a message seen before is not read twice, and nothing is taken past `count`.
 */
export async function readTopic(kafka: Kafka, topic: string, count: number, options: ReadOptions = {}): Promise<TopicMessage[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const read: TopicMessage[] = [];
  const seen = new Set<string>();
  if (count === 0) return read;
  const consumer = kafka.consumer({ groupId: options.groupId ?? uniqueName('test-reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${read.length} of ${count} messages from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const position = `${partition}:${message.offset}`;
            if (read.length >= count || seen.has(position)) return;
            seen.add(position);
            read.push({ partition, message });
            if (read.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return read;
}

/** The first `count` messages of the topic. */
export async function readMessages(kafka: Kafka, topic: string, count: number, options: ReadOptions = {}): Promise<KafkaMessage[]> {
  return (await readTopic(kafka, topic, count, options)).map(({ message }) => message);
}

/** How many records the topic holds: the sum of its partitions' high watermarks. */
export async function recordCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every record on the topic: exactly as many as the partitions' high watermarks say there are. */
export async function readEverything(kafka: Kafka, topic: string, options: ReadOptions = {}): Promise<TopicMessage[]> {
  return readTopic(kafka, topic, await recordCount(kafka, topic), options);
}

/** Every message on the topic, without its partition. */
export async function readAllMessages(kafka: Kafka, topic: string, options: ReadOptions = {}): Promise<KafkaMessage[]> {
  return (await readEverything(kafka, topic, options)).map(({ message }) => message);
}

/** A message's headers as strings (kafkajs hands them over as Buffers). */
export function headersOf(message: KafkaMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
}
