import type { FastifyServerOptions, LightMyRequestResponse } from 'fastify';
import type { Kafka, Producer } from 'kafkajs';
import { inject } from 'vitest';
import { buildIngressServer, type IngressLimits } from '../../services/ingress/app.ts';
import { publishBatchMetrics } from '../../services/ingress/metrics.ts';
import { loadConfig } from '../../shared/config.ts';
import { createPool } from '../../shared/db/pool.ts';
import { createCallRecordPublisher, type CallRecordPublisher, type PublishSettings } from '../../services/ingress/publish/call-record-publisher.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { closePool, createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, type TopicSet as TestTopics } from '../../kit/topics.ts';

/**
 * The ingress alone on real Kafka and real Postgres, with its own topics and one tenant. Settings start
 * from the configuration defaults; a test overrides only what it is about.
 */
export interface TestIngress {
  app: ReturnType<typeof buildIngressServer>;
  db: TestDatabase;
  kafka: Kafka;
  producer: Producer;
  publisher: CallRecordPublisher;
  topics: TestTopics;
  tenant: CreatedTenant;
  post(payload: string | object, options?: { headers?: Record<string, string>; url?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestIngressOptions {
  brokers?: string[];
  settings?: Partial<PublishSettings & IngressLimits>;
  /** kafkajs retries of the producer: few, so a stopped broker is noticed quickly. */
  producerRetries?: number;
  now?: () => Date;
  /** Fastify's logger option; none when not given. */
  logger?: FastifyServerOptions['logger'];
}

export async function startTestIngress(options: TestIngressOptions = {}): Promise<TestIngress> {
  const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  const kafka = testKafka(options.brokers ?? inject('kafkaBrokers'));
  const topics = await createTestTopics(kafka);
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    retry: { retries: options.producerRetries ?? 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  await producer.connect();
  // The ingress gets its own pool, closed below before the database is dropped (see closePool).
  const pool = createPool(db.url, 2, INGRESS_POOL);
  const repository = createTenantRepository(pool);
  const tenant = await repository.create({ name: 'ingress test tenant', timezone: 'Asia/Tokyo' });
  const settings = { ...loadConfig({}), ...options.settings };
  const registry = createMetricsRegistry('ingress');
  const publisher = createCallRecordPublisher(producer, topics, settings, publishBatchMetrics(registry));
  const app = buildIngressServer(
    {
      tenants: createTenantAuthenticator(repository, 0),
      publisher,
      retryAfterSeconds: 5,
      readiness: { postgres: async () => (await pool.query('select 1')).rowCount === 1, kafka: () => publisher.isConnected() },
      ...(options.now ? { now: options.now } : {}),
    },
    { limits: settings, logger: options.logger ?? false, registry },
  );
  await app.ready();

  return {
    app,
    db,
    kafka,
    producer,
    publisher,
    topics,
    tenant,
    post(payload, { headers = {}, url = `/v1/tenants/${tenant.tenantId}/call-records` } = {}) {
      return app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json', ...headers },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
    },
    async close() {
      await app.close();
      await producer.disconnect();
      await closePool(inject('adminDatabaseUrl'), pool, db.name, INGRESS_POOL);
      await db.drop();
    },
  };
}

const INGRESS_POOL = 'callstream-test-ingress';
