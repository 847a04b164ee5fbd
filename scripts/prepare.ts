import type { Config } from '../shared/config.ts';
import { ensureDatabase, migrate } from '../shared/db/migrate.ts';
import { createPool } from '../shared/db/pool.ts';
import { createKafka, kafkaTarget } from '../shared/kafka/client.ts';
import { contractTopics, describeShortfall } from '../shared/kafka/topic-settings.ts';
import { ensureTopics, TopicCreationError, type TopicsReport } from '../shared/kafka/topics.ts';
import { StartupError } from '../shared/startup-error.ts';

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

/**
 * Creates the missing topics of the contract and checks every one against the config. A topic weaker than
 * configured stops start-up with one line per difference: a 200 on a topic that a broker failure can
 * empty would promise nothing.
 */
export async function prepareTopics(config: Config, brokers: string[]): Promise<string[]> {
  const specs = contractTopics(config);
  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-setup`, ...kafkaTarget(config), brokers });
  let report: TopicsReport;
  try {
    report = await ensureTopics(kafka, specs);
  } catch (error) {
    if (error instanceof TopicCreationError) throw new StartupError('KAFKA_TOPIC_REFUSED', error.message, { cause: error });
    throw error;
  }
  if (report.shortfalls.length > 0) {
    const lines = report.shortfalls.map(describeShortfall);
    throw new StartupError(
      'KAFKA_TOPICS_WEAKER',
      [...lines, 'fix the topics (kafka-topics / kafka-configs) or the variables named above'].join('\n'),
    );
  }
  return specs.map((spec) => spec.name);
}
