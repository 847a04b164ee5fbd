import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { kafkaBrokers, type Config } from '../config.ts';
import { kafkaConnection, type KafkaConnection, type KafkaConnectionSettings } from './settings.ts';
import './codecs.ts';

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

const AUTHENTICATION_FAILED = /authentication failed/i;

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
        // kafkajs reports a refused login at error level three times per attempt; the service says it once
        // (kafka/refusal.ts), so these are detail.
        if (AUTHENTICATION_FAILED.test(`${message} ${String(rest.error ?? '')}`)) logger.debug(fields, message);
        else if (level === logLevel.ERROR) logger.error(fields, message);
        else if (level === logLevel.WARN) logger.warn(fields, message);
        else if (level === logLevel.INFO) logger.info(fields, message);
        else logger.debug(fields, message);
      },
  });
}
