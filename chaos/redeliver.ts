import type { IHeaders } from 'kafkajs';
import { createKafka } from '../shared/kafka/client.ts';

/**
 * Redelivery at the Kafka level: every record of the topic published again in a shuffled order, so the
 * consumer meets older receivedAt values after newer ones and deliveries it already applied.
 */
export async function republishShuffled(brokers: string[], topic: string, random: () => number): Promise<number> {
  const kafka = createKafka({ clientId: 'callstream-chaos-redeliver', brokers });
  const admin = kafka.admin();
  await admin.connect();
  const total = (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
  await admin.disconnect();
  const records: { key: Buffer | null; value: Buffer | null; headers: IHeaders }[] = [];
  const reader = kafka.consumer({ groupId: `chaos-reader-${Date.now()}-${Math.floor(random() * 1e9)}`, maxWaitTimeInMs: 200 });
  await reader.connect();
  try {
    await reader.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} of ${total} records`)), 60_000);
      if (total === 0) resolve();
      void reader.run({
        eachMessage: async ({ message }) => {
          records.push({ key: message.key, value: message.value, headers: message.headers ?? {} });
          if (records.length >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await reader.disconnect();
  }
  for (let i = records.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [records[i], records[j]] = [records[j]!, records[i]!];
  }
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 200) {
      await producer.send({ topic, acks: -1, messages: records.slice(i, i + 200) });
    }
  } finally {
    await producer.disconnect();
  }
  return records.length;
}
