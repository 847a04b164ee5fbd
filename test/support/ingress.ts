import type { FastifyInstance, FastifyServerOptions, LightMyRequestResponse } from 'fastify';
import type { Kafka } from 'kafkajs';
import { afterEach, inject } from 'vitest';
import type { IngressLimits } from '../../services/ingress/app.ts';
import type { CallRecordPublisher, PublisherSettings } from '../../services/ingress/publish/call-record-publisher.ts';
import { startIngress } from '../../services/ingress/start.ts';
import { configEnvironment, type Config } from '../../shared/config.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, type TopicSet as TestTopics } from '../../kit/topics.ts';
import { IN_PROCESS, testServiceConfig } from './service-config.ts';

/**
 * The ingress alone on real Kafka and real Postgres, with its own topics and one tenant, started by
 * services/ingress/start.ts as production starts it. Settings start from the configuration defaults; a
 * test overrides only what it is about, by the settings' names.
 */
export interface TestIngress {
  app: FastifyInstance;
  db: TestDatabase;
  kafka: Kafka;
  publisher: CallRecordPublisher;
  topics: TestTopics;
  tenant: CreatedTenant;
  post(payload: string | object, options?: { headers?: Record<string, string>; url?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestIngressOptions {
  brokers?: string[];
  settings?: Partial<PublisherSettings & IngressLimits & Pick<Config, 'TENANT_CACHE_TTL_MS'>>;
  now?: () => Date;
  /** Fastify's logger option; none when not given. */
  logger?: FastifyServerOptions['logger'];
}

export async function startTestIngress(options: TestIngressOptions = {}): Promise<TestIngress> {
  const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  const brokers = options.brokers ?? inject('kafkaBrokers');
  const kafka = testKafka(brokers);
  const topics = await createTestTopics(kafka);
  const tenant = await createTenantRepository(db.pool).create({ name: 'ingress test tenant', timezone: 'Asia/Tokyo' });
  const config = testServiceConfig({ databaseUrl: db.url, topics, brokers, env: configEnvironment(options.settings ?? {}) });
  const ingress = await startIngress(config, {
    ...IN_PROCESS,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const { app } = ingress;

  return {
    app,
    db,
    kafka,
    publisher: ingress.publisher,
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
      await ingress.close();
      await db.drop();
    },
  };
}

/**
 * For a describe block whose tests each need an ingress of their own settings: returns the function that
 * starts one, and closes it after each test.
 */
export function ingressPerTest(): (options?: TestIngressOptions) => Promise<TestIngress> {
  let current: TestIngress | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => (current = await startTestIngress(options));
}
