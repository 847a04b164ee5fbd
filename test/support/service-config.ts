import { inject } from 'vitest';
import { loadConfig, type Config } from '../../shared/config.ts';
import type { TopicSet } from '../../kit/topics.ts';

/**
 * What a test hands services/<name>/start.ts: the production config, read by loadConfig from the
 * variables a deployment would set (this test's database, broker and topics; tenants read fresh;
 * consumers that notice a lost member in seconds and retry quickly), plus the few overrides a
 * test process needs (no socket unless asked, no log, no start-up report to the test runner).
 */
export interface TestConfigInput {
  databaseUrl: string;
  /** The rejected topic may be left out by a consumer's test: only the ingress writes to it. */
  topics: Pick<TopicSet, 'callRecords' | 'dlq'> & Partial<Pick<TopicSet, 'rejected'>>;
  brokers?: string[];
  group?: string;
  /** Further settings by their variable names, e.g. { PRODUCE_LINGER_MS: '10' }. */
  env?: Record<string, string>;
}

export function testServiceConfig(input: TestConfigInput): Config {
  return loadConfig({
    DATABASE_URL: input.databaseUrl,
    DATABASE_POOL_SIZE: '2',
    KAFKA_BROKERS: (input.brokers ?? inject('kafkaBrokers')).join(','),
    KAFKA_CLIENT_ID: 'callstream-test',
    TOPIC_CALL_RECORDS: input.topics.callRecords,
    ...(input.topics.rejected ? { TOPIC_REJECTED: input.topics.rejected } : {}),
    TOPIC_DLQ: input.topics.dlq,
    ...(input.group ? { CONSUMER_GROUP: input.group } : {}),
    TENANT_CACHE_TTL_MS: '0',
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
    CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
    CONSUMER_RETRY_INITIAL_MS: '50',
    CONSUMER_RETRY_MAX_MS: '1000',
    HOST: '127.0.0.1',
    ...input.env,
  });
}

export const IN_PROCESS = {
  listen: false,
  logger: false,
  report: async () => undefined,
} as const;

/** A consumer that kafkajs gave up on fails the test run loudly instead of exiting the test process. */
export function failTestOnCrash(error: Error): void {
  queueMicrotask(() => {
    throw new Error(`the in-process consumer crashed: ${error.message}`, { cause: error });
  });
}
