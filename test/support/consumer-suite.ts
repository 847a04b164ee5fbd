import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, type TopicSet } from '../../kit/topics.ts';
import type { Envelope } from '../../shared/callback/envelope.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import type { ConsumerProcessEnv } from './consumer-process.ts';
import { tableChecksums } from './consumer-state.ts';
import { redeliveryWorkload, type ConsumerTable } from './consumer-workload.ts';

/**
 * What every consumer test file sets up the same way: the run's broker, one producer for the file, and
 * test databases that are dropped at the end, after the file's consumers are gone (a database with a
 * consumer still connected cannot be dropped).
 */
export interface ConsumerSuite {
  kafka: Kafka;
  /** Connected before the first test. */
  readonly producer: Producer;
  /** A fresh database from the template, dropped in afterAll. */
  database(): Promise<TestDatabase>;
  /**
   * Two tenants in `db`, one in Tokyo and one in `second`'s zone, fresh three-partition topics, and a
   * redelivery workload of `calls` calls alternating between the two (not yet published).
   */
  twoZoneWorkload(
    db: TestDatabase,
    second: { name: string; timezone: string },
    calls: number,
  ): Promise<{ topics: TopicSet; envelopes: Envelope[] }>;
}

export interface ConsumerSuiteHooks {
  /** Stops whatever consumers the file started (in-process or processes), before anything is dropped. */
  stopConsumers?(): Promise<unknown>;
  /** Runs before each database is dropped (e.g. wait until its killed consumers' backends are gone). */
  beforeDrop?(db: TestDatabase): Promise<unknown>;
}

export function consumerSuite(hooks: ConsumerSuiteHooks = {}): ConsumerSuite {
  const kafka = testKafka(inject('kafkaBrokers'));
  const databases: TestDatabase[] = [];
  let producer: Producer | undefined;

  beforeAll(async () => {
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await hooks.stopConsumers?.();
    await producer?.disconnect();
    for (const db of databases) {
      await hooks.beforeDrop?.(db);
      await db.drop();
    }
  });

  return {
    kafka,
    get producer() {
      if (!producer) throw new Error('the producer connects in beforeAll');
      return producer;
    },
    async database() {
      const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
      databases.push(db);
      return db;
    },
    async twoZoneWorkload(db, second, calls) {
      const tenants = createTenantRepository(db.pool);
      const tokyo = await tenants.create({ name: 'tokyo', timezone: 'Asia/Tokyo' });
      const other = await tenants.create(second);
      const topics = await createTestTopics(kafka, 3);
      return { topics, envelopes: redeliveryWorkload([tokyo.tenantId, other.tenantId], calls) };
    },
  };
}

/** The environment of a consumer process on this run's broker, a test's database, topics and group. */
export function consumerProcessEnv(
  databaseUrl: string,
  topics: Pick<TopicSet, 'callRecords' | 'dlq'>,
  groupId: string,
): ConsumerProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: inject('kafkaBrokers').join(','),
    TOPIC_CALL_RECORDS: topics.callRecords,
    TOPIC_DLQ: topics.dlq,
    CONSUMER_GROUP: groupId,
  };
}

/** Rows per consumer table, as they stand. */
export async function rowCounts(db: TestDatabase): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await tableChecksums(db.pool)).map(([table, { rows }]) => [table, rows]));
}

/** Every consumer table empty: what a batch rolled back or never begun leaves. */
export const NO_ROWS: Record<ConsumerTable, number> = {
  calls: 0,
  call_instances: 0,
  dialogue_lines: 0,
  call_labels: 0,
  call_variables: 0,
  call_recordings: 0,
};
