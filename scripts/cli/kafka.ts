import type { Kafka } from 'kafkajs';
import type { Config } from '../../shared/config.ts';
import { createKafka, kafkaTarget } from '../../shared/kafka/client.ts';
import { readTopicToEnd, TopicNotFoundError, type TopicRecord } from '../../shared/kafka/read-topic.ts';
import { needKafka } from '../../shared/startup-error.ts';
import { CommandFailure } from './command.ts';

/**
 * The Kafka of a command: one client built from the configured brokers, TLS and SASL settings (so a
 * secured cluster works as for the services), its failures to connect the one line every entry point
 * prints (needKafka: `cannot reach Kafka at … (KAFKA_BROKERS): …`).
 */
export function withKafka<T>(config: Config, use: (kafka: Kafka) => Promise<T>): Promise<T> {
  const target = kafkaTarget(config);
  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-cli`, ...target });
  return needKafka(target.brokers, () => use(kafka));
}

/** The contract topics a command reads, by the variable that names each. */
export type TopicVariable = 'TOPIC_CALL_RECORDS' | 'TOPIC_REJECTED' | 'TOPIC_DLQ';

/**
 * Every record the topic holds now (shared/kafka/read-topic.ts), under a consumer group named
 * `<KAFKA_CLIENT_ID>-cli-read-<uuid>` that is deleted afterwards. A missing topic says which variable names it.
 */
export async function readConfiguredTopic(
  kafka: Kafka,
  config: Config,
  variable: TopicVariable,
  onRecord: (record: TopicRecord) => void | Promise<void>,
): Promise<number> {
  try {
    return await readTopicToEnd(kafka, config[variable], { groupPrefix: `${config.KAFKA_CLIENT_ID}-cli-read` }, onRecord);
  } catch (error) {
    if (!(error instanceof TopicNotFoundError)) throw error;
    throw new CommandFailure('TOPIC_NOT_FOUND', `topic ${error.topic} (${variable}) does not exist: npm run setup creates it`);
  }
}
