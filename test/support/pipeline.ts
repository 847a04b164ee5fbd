import { inject } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { loadConfig } from '../../shared/config.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { createCallRecordPublisher } from '../../services/ingress/publish/call-record-publisher.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository, type CreatedTenant, type NewTenant } from '../../shared/tenants/repository.ts';
import { buildIngressServer } from '../../services/ingress/app.ts';
import { processBatch } from '../../services/consumer/batch-processor.ts';
import { createCallRecordConsumer, type CallRecordConsumer } from '../../services/consumer/call-record-consumer.ts';
import { buildQueryServer } from '../../services/query/app.ts';
import { createCallsRepository } from '../../services/query/calls-repository.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, uniqueName, type TopicSet as TestTopics } from '../../kit/topics.ts';

/**
 * The three services wired to real Kafka and real Postgres, in-process: HTTP through app.inject(), the
 * consumer as a real group member on this test's own topics. close() releases everything.
 */
export interface TestPipeline {
  db: TestDatabase;
  kafka: Kafka;
  topics: TestTopics;
  ingress: ReturnType<typeof buildIngressServer>;
  query: ReturnType<typeof buildQueryServer>;
  createTenant(input?: Partial<NewTenant>): Promise<CreatedTenant>;
  startConsumer(groupId?: string): Promise<CallRecordConsumer>;
  close(): Promise<void>;
}

export async function startTestPipeline(options: { now?: () => Date } = {}): Promise<TestPipeline> {
  const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  const kafka = testKafka(inject('kafkaBrokers'));
  const topics = await createTestTopics(kafka);
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const tenantRepository = createTenantRepository(db.pool);
  const tenants = createTenantAuthenticator(tenantRepository, 0);
  const consumers: CallRecordConsumer[] = [];
  const defaults = loadConfig({});

  const publisher = createCallRecordPublisher(producer, topics, defaults);
  const ingress = buildIngressServer(
    {
      tenants,
      publisher,
      retryAfterSeconds: 5,
      readiness: { postgres: async () => true, kafka: () => publisher.isConnected() },
      ...(options.now ? { now: options.now } : {}),
    },
    { limits: defaults, logger: false, registry: createMetricsRegistry('ingress') },
  );
  const query = buildQueryServer(
    { tenants, calls: createCallsRepository(db.pool), readiness: { postgres: async () => true } },
    { logger: false, registry: createMetricsRegistry('query') },
  );

  return {
    db,
    kafka,
    topics,
    ingress,
    query,
    createTenant: (input = {}) => tenantRepository.create({ name: 'test tenant', timezone: 'Asia/Tokyo', ...input }),
    async startConsumer(groupId = uniqueName('test-group')) {
      const consumer = createCallRecordConsumer(kafka, {
        groupId,
        topic: topics.callRecords,
        dlqTopic: topics.dlq,
        handle: (records) =>
          processBatch(db.pool, async (tenantId) => (await tenantRepository.find(tenantId))?.timezone, records),
      });
      await consumer.start();
      consumers.push(consumer);
      return consumer;
    },
    async close() {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await ingress.close();
      await query.close();
      await producer.disconnect();
      await db.drop();
    },
  };
}

/** Polls until check() returns a value other than undefined (or fails after timeoutMs). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
