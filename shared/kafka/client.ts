import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { kafkaBrokers, type Config } from '../config.ts';
import { kafkaConnection, type KafkaConnection, type KafkaConnectionSettings } from './settings.ts';

/**
 * The one place that knows how to build a kafkajs client. Services get a Kafka instance from here and
 * wrap it in the narrow publisher / consumer interfaces they need.
 */
export interface KafkaLogger {
  error(object: object, message: string): void;
  warn(object: object, message: string): void;
  info(object: object, message: string): void;
  debug(object: object, message: string): void;
}

/** Where a client connects and how: what every Kafka client of the project is built from. */
export interface KafkaTarget {
  brokers: string[];
  connection: KafkaConnection;
}

/** The brokers and the TLS / SASL settings of a config. */
export function kafkaTarget(config: KafkaConnectionSettings & Pick<Config, 'KAFKA_BROKERS'>): KafkaTarget {
  return { brokers: kafkaBrokers(config), connection: kafkaConnection(config) };
}

export function createKafka(options: KafkaTarget & { clientId: string; logger?: KafkaLogger }): Kafka {
  const logger = options.logger;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...options.connection,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 5 },
    logLevel: logger ? logLevel.WARN : logLevel.NOTHING,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        if (!logger) return;
        const { message, ...rest } = log;
        const fields = { component: 'kafkajs', ...rest };
        if (level === logLevel.ERROR) logger.error(fields, message);
        else if (level === logLevel.WARN) logger.warn(fields, message);
        else if (level === logLevel.INFO) logger.info(fields, message);
        else logger.debug(fields, message);
      },
  });
}

/**
 * Records may be as large as the ingress body limit (1 MiB) plus the envelope, and a quarantined payload
 * carries its errors too: the broker's default of about 1 MB per record is raised on our topics.
 */
export const TOPIC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: string[], numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) }],
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
