import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { kafkaBrokers, type Config } from '../../shared/config.ts';
import { errorSummary } from '../../shared/db/errors.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';
import type { ReadinessChecks } from '../../shared/http/probes.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { listeningPort } from '../../shared/listening-port.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { listenOn, needKafka, needPostgres } from '../../shared/startup-error.ts';
import { reportStartup, type StartupReport } from '../../shared/startup-report.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildConsumerServer } from './app.ts';
import { processBatch } from './batch-processor.ts';
import { createCallRecordConsumer, type CallRecordConsumer } from './call-record-consumer.ts';
import { createConsumerMetrics } from './consumer-metrics.ts';
import { createTimeZoneCache } from './time-zone-cache.ts';

/**
 * The consumer's composition root: config → pool → time-zone cache → group member → app → listen → join
 * → close, for main.ts and for every test that runs the consumer in-process. Overrides are what a config
 * cannot say.
 */
export interface ConsumerOverrides {
  /** Fastify's logger option, also the kafkajs and batch logger; the service's JSON lines when not given. */
  logger?: FastifyServerOptions['logger'];
  /** false: no socket (probes through app.inject()); the group is joined all the same. */
  listen?: boolean;
  registry?: Registry;
  /** What a parent with an IPC channel is told (npm start); a test process must not tell its runner. */
  report?: (report: StartupReport) => Promise<void>;
  /** kafkajs gave up on the group; by default the process exits 1 (after closing) for its supervisor to restart it. */
  onCrash?: (error: Error) => void;
}

export interface ConsumerService {
  app: FastifyInstance;
  db: Pool;
  consumer: Pick<CallRecordConsumer, 'isMember'>;
  /** The port it listens on once started (the one chosen when CONSUMER_PORT is 0); undefined without a socket. */
  port(): number | undefined;
  /** Checks Postgres, listens, reports listening, then joins the group; failures are StartupErrors. */
  start(): Promise<void>;
  /** Stops listening, leaves the group (committing what was written), closes the pool. Once. */
  close(): Promise<void>;
}

export type RunningConsumer = Omit<ConsumerService, 'start'>;

/** Everything wired, nothing connected yet: main.ts handles signals from here on, start-up included. */
export function createConsumer(config: Config, overrides: ConsumerOverrides = {}): ConsumerService {
  const brokers = kafkaBrokers(config);
  const registry = overrides.registry ?? createMetricsRegistry('consumer');
  // One connection per batch in flight, on top of those the readiness check and tenant lookups use.
  const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE + config.CONSUMER_PARTITIONS_CONCURRENTLY, 'callstream-consumer');
  const tenants = createTenantRepository(db);
  const timeZoneOf = createTimeZoneCache(async (tenantId) => (await tenants.find(tenantId))?.timezone, config.TENANT_CACHE_TTL_MS);

  // Ready: a member of the group (it may be given partitions) and Postgres answers.
  const readiness = {
    postgres: async () => (await db.query('select 1')).rowCount === 1,
    consumerGroup: async () => consumer.isMember(),
  } satisfies ReadinessChecks;
  const app = buildConsumerServer({ readiness }, { logger: overrides.logger ?? loggerOptions(config.LOG_LEVEL, 'consumer'), registry });
  // An idle connection dropped by Postgres is not an error of any batch: the pool replaces it.
  db.on('error', (error) => app.log.warn({ error: errorSummary(error) }, 'idle database connection lost'));

  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-consumer`, brokers, logger: app.log });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());
  const consumer = createCallRecordConsumer(kafka, {
    groupId: config.CONSUMER_GROUP,
    topic: config.TOPIC_CALL_RECORDS,
    dlqTopic: config.TOPIC_DLQ,
    handle: (records) => processBatch(db, timeZoneOf, records),
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.CONSUMER_HEARTBEAT_INTERVAL_MS,
    partitionsConcurrently: config.CONSUMER_PARTITIONS_CONCURRENTLY,
    retry: { initialMs: config.CONSUMER_RETRY_INITIAL_MS, maxMs: config.CONSUMER_RETRY_MAX_MS },
    metrics: createConsumerMetrics(registry),
    logger: app.log,
    onBatch: (outcome, partition, records) =>
      app.log.debug({ partition, records, rows: outcome.rows, deadLetters: outcome.deadLetters.length }, 'batch written'),
    // kafkajs gave up: exit, so that the supervisor starts a fresh process (nothing uncommitted is lost).
    onCrash: overrides.onCrash ?? (() => void close().finally(() => process.exit(1))),
  });
  app.addHook('onClose', async () => {
    await consumer.stop();
    await db.end();
  });

  return {
    app,
    db,
    consumer,
    port: () => listeningPort(app),
    // Alive (healthz) at once; ready (readyz) once the group admitted this member, which can take a session
    // timeout when a crashed predecessor still holds its place.
    async start() {
      await needPostgres(config.DATABASE_URL, () => db.query('select 1'));
      if (overrides.listen === false) {
        await app.ready();
      } else {
        await listenOn('CONSUMER_PORT', config.CONSUMER_PORT, config.HOST, () =>
          app.listen({ host: config.HOST, port: config.CONSUMER_PORT }),
        );
        await (overrides.report ?? reportStartup)({ listening: true });
      }
      await needKafka(brokers, () => consumer.start());
    },
    close,
  };
}

/** Created and started (a member of its group); what start-up opened is closed again when it fails. */
export async function startConsumer(config: Config, overrides: ConsumerOverrides = {}): Promise<RunningConsumer> {
  const service = createConsumer(config, overrides);
  try {
    await service.start();
  } catch (error) {
    await service.close().catch(() => undefined);
    throw error;
  }
  return service;
}
