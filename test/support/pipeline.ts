import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kafka } from 'kafkajs';
import { inject } from 'vitest';
import { startConsumer as startConsumerService, type RunningConsumer } from '../../services/consumer/start.ts';
import { startIngress } from '../../services/ingress/start.ts';
import { startQuery } from '../../services/query/start.ts';
import { createTenantRepository, type CreatedTenant, type NewTenant } from '../../shared/tenants/repository.ts';
import type { KafkaConnection } from '../../shared/kafka/settings.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, uniqueName, type TopicSet as TestTopics } from '../../kit/topics.ts';
import { failTestOnCrash, IN_PROCESS, testServiceConfig } from './service-config.ts';

/**
 * The three services started by their own start.ts on real Kafka and real Postgres, in-process: HTTP
 * through app.inject(), each consumer a real group member on this test's own topics. close() releases
 * everything.
 */
export interface TestPipeline {
  db: TestDatabase;
  kafka: Kafka;
  topics: TestTopics;
  ingress: FastifyInstance;
  query: FastifyInstance;
  createTenant(input?: Partial<NewTenant>): Promise<CreatedTenant>;
  startConsumer(groupId?: string): Promise<InProcessConsumer>;
  close(): Promise<void>;
}

/** A consumer started in this process: stop() closes it as SIGTERM would. */
export interface InProcessConsumer {
  stop(): Promise<void>;
  isMember(): boolean;
}

export interface TestPipelineOptions {
  now?: () => Date;
  /** Another broker than the test run's (e.g. one of another Kafka release). */
  brokers?: string[];
  /** Further settings of the three services, by their variable names. */
  env?: Record<string, string>;
  /** How the test's own client reaches `brokers` (TLS, SASL); the services get theirs from env. */
  connection?: KafkaConnection;
}

export async function startTestPipeline(options: TestPipelineOptions = {}): Promise<TestPipeline> {
  const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  const brokers = options.brokers ?? inject('kafkaBrokers');
  const kafka = testKafka(brokers, options.connection);
  const topics = await createTestTopics(kafka);
  const config = (group?: string) =>
    testServiceConfig({ databaseUrl: db.url, topics, brokers, ...(group ? { group } : {}), ...(options.env ? { env: options.env } : {}) });
  const ingress = await startIngress(config(), { ...IN_PROCESS, ...(options.now ? { now: options.now } : {}) });
  const query = await startQuery(config(), IN_PROCESS);
  const consumers: RunningConsumer[] = [];

  return {
    db,
    kafka,
    topics,
    ingress: ingress.app,
    query: query.app,
    createTenant: (input = {}) => createTenantRepository(db.pool).create({ name: 'test tenant', timezone: 'Asia/Tokyo', ...input }),
    async startConsumer(groupId = uniqueName('test-group')) {
      const consumer = await startConsumerService(config(groupId), { ...IN_PROCESS, onCrash: failTestOnCrash });
      consumers.push(consumer);
      return inProcessConsumer(consumer);
    },
    async close() {
      await Promise.all(consumers.map((consumer) => consumer.close()));
      await ingress.close();
      await query.close();
      await db.drop();
    },
  };
}

export function inProcessConsumer(consumer: RunningConsumer): InProcessConsumer {
  return { stop: () => consumer.close(), isMember: () => consumer.consumer.isMember() };
}

/** POSTs one callback to the pipeline's ingress as the tenant's telephony platform would, with its ingest token. */
export function postCallback(
  pipeline: Pick<TestPipeline, 'ingress'>,
  tenant: { tenantId: string; ingestToken: string },
  payload: string | object,
): Promise<LightMyRequestResponse> {
  return pipeline.ingress.inject({
    method: 'POST',
    url: `/v1/tenants/${tenant.tenantId}/call-records`,
    headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json' },
    payload,
  });
}

/** GET /v1/calls/{callId} as the tenant's API client, polled until the consumer has written the call (200). */
export function lookUpWhenStored(
  pipeline: Pick<TestPipeline, 'query'>,
  tenant: { tenantId: string; accessToken: string },
  callId: string,
  timeoutMs = 30_000,
): Promise<LightMyRequestResponse> {
  return eventually(async () => {
    const response = await pipeline.query.inject({
      method: 'GET',
      url: `/v1/calls/${callId}`,
      headers: { 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': tenant.accessToken },
    });
    return response.statusCode === 200 ? response : undefined;
  }, timeoutMs);
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
