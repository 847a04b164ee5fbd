import type { FastifyServerOptions, LightMyRequestResponse } from 'fastify';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import pg from 'pg';
import { inject } from 'vitest';
import { buildIngressServer, type IngressLimits } from '../../services/ingress/app.ts';
import { publishBatchMetrics } from '../../services/ingress/metrics.ts';
import { loadConfig } from '../../shared/config.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';
import { createCallRecordPublisher, type CallRecordPublisher, type PublishSettings } from '../../services/ingress/publish/call-record-publisher.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { createTestTopics, readMessages, testKafka, type TestTopics } from './kafka.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';

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
      isReady: async () => (await pool.query('select 1')).rowCount === 1,
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
      await closePool(pool, db.name);
      await db.drop();
    },
  };
}

const INGRESS_POOL = 'callstream-test-ingress';

/**
 * pg-pool's end() resolves before its connections have closed, so a database dropped right after can
 * still see them (and the drop's leak check fails at random). Wait until the server has let them go.
 */
async function closePool(pool: Pool, database: string): Promise<void> {
  await pool.end();
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await admin.connect();
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      const { rows } = await admin.query('select count(*)::int as open from pg_stat_activity where datname = $1 and application_name = $2', [
        database,
        INGRESS_POOL,
      ]);
      if (rows[0].open === 0) return;
      await new Promise((done) => setTimeout(done, 50));
    }
  } finally {
    await admin.end();
  }
}

/** Every record on a topic: reads exactly as many as the partitions' high watermarks say there are. */
export async function readAllRecords(kafka: Kafka, topic: string): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  let total: number;
  try {
    total = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
  return total === 0 ? [] : readMessages(kafka, topic, total);
}

export function headersOf(message: KafkaMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
}
