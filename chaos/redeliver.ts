import { createKafka } from '../shared/kafka/client.ts';
import { readAllMessages } from '../kit/topic-reader.ts';
import { uniqueName } from '../kit/topics.ts';

/**
 * Redelivery at the Kafka level: every record of the topic published again in a shuffled order, so the
 * consumer meets older receivedAt values after newer ones and deliveries it already applied.
 */
export async function republishShuffled(brokers: string[], topic: string, random: () => number): Promise<number> {
  const kafka = createKafka({ clientId: 'callstream-chaos-redeliver', brokers, connection: {} });
  const records = (await readAllMessages(kafka, topic, { groupId: uniqueName('chaos-reader'), timeoutMs: 60_000 })).map((message) => ({
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
  }));
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
