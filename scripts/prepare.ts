import type { Config } from '../shared/config.ts';
import { ensureDatabase, migrate } from '../shared/db/migrate.ts';
import { createPool } from '../shared/db/pool.ts';
import { createKafka, ensureTopics, kafkaTarget } from '../shared/kafka/client.ts';

/** What the services expect to exist before they start; shared by `npm start` and `npm run setup`. */
export async function prepareDatabase(config: Config): Promise<string[]> {
  await ensureDatabase(config.DATABASE_URL);
  const db = createPool(config.DATABASE_URL, 1, 'callstream-setup');
  try {
    return await migrate(db);
  } finally {
    await db.end();
  }
}

export async function prepareTopics(config: Config, brokers: string[]): Promise<string[]> {
  const topics = [config.TOPIC_CALL_RECORDS, config.TOPIC_REJECTED, config.TOPIC_DLQ];
  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-setup`, ...kafkaTarget(config), brokers });
  await ensureTopics(kafka, topics, config.TOPIC_PARTITIONS);
  return topics;
}
