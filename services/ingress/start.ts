import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Partitioners } from 'kafkajs';
import type { Registry } from 'prom-client';
import { kafkaBrokers, type Config } from '../../shared/config.ts';
import { errorSummary } from '../../shared/db/errors.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';
import type { ReadinessChecks } from '../../shared/http/probes.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { listeningPort } from '../../shared/listening-port.ts';
import { listenOn, needKafka, needPostgres } from '../../shared/startup-error.ts';
import { reportStartup, type StartupReport } from '../../shared/startup-report.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildIngressServer } from './app.ts';
import { publishBatchMetrics } from './metrics.ts';
import { createCallRecordPublisher, type CallRecordPublisher } from './publish/call-record-publisher.ts';

/**
 * The ingress composition root: config → pool → producer → app → listen → close, for main.ts and for
 * every test that runs the ingress in-process. A test replaces only what it cannot set through the
 * config (the clock, where log lines go, not listening, the metrics registry, the start-up report).
 */
export interface IngressOverrides {
  now?: () => Date;
  /** Fastify's logger option; the service's JSON lines (loggerOptions) when not given. */
  logger?: FastifyServerOptions['logger'];
  /** false: no socket, requests through app.inject(). */
  listen?: boolean;
  registry?: Registry;
  /** What a parent with an IPC channel is told (npm start); a test process must not tell its runner. */
  report?: (report: StartupReport) => Promise<void>;
}

export interface Ingress {
  app: FastifyInstance;
  db: Pool;
  publisher: CallRecordPublisher;
  /** The port it listens on once started (the one chosen when INGRESS_PORT is 0); undefined without a socket. */
  port(): number | undefined;
  /** Checks Postgres, connects to Kafka, listens and reports listening; failures are StartupErrors. */
  start(): Promise<void>;
  /** Stops listening, waits for requests in flight, then disconnects the producer and closes the pool. Once. */
  close(): Promise<void>;
}

export type RunningIngress = Omit<Ingress, 'start'>;

/** Everything wired, nothing connected yet: main.ts handles signals from here on, start-up included. */
export function createIngress(config: Config, overrides: IngressOverrides = {}): Ingress {
  const brokers = kafkaBrokers(config);
  const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-ingress');
  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-ingress`, brokers });
  // Not idempotent (see coalescing-producer.ts). Few retries: the publisher answers 503 after PRODUCE_TIMEOUT_MS
  // anyway, the sender retries the whole request, and a stuck batch should not hold the queue for long.
  // Keys are partitioned with Kafka's own murmur2, as a Java producer would, so subscribers can rely on it.
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const registry = overrides.registry ?? createMetricsRegistry('ingress');
  const publisher = createCallRecordPublisher(
    producer,
    { callRecords: config.TOPIC_CALL_RECORDS, rejected: config.TOPIC_REJECTED },
    config,
    publishBatchMetrics(registry),
  );
  const readiness = {
    postgres: async () => (await db.query('select 1')).rowCount === 1,
    kafka: () => publisher.isConnected(),
  } satisfies ReadinessChecks;
  const app = buildIngressServer(
    {
      tenants: createTenantAuthenticator(createTenantRepository(db), config.TENANT_CACHE_TTL_MS),
      publisher,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
      readiness,
      ...(overrides.now ? { now: overrides.now } : {}),
    },
    { limits: config, logger: overrides.logger ?? loggerOptions(config.LOG_LEVEL, 'ingress'), registry },
  );
  // An idle connection that breaks (Postgres restarted) is dropped by the pool; it must not crash the process.
  // Only a summary: pg attaches its client, password included, to connection errors.
  db.on('error', (error) => app.log.warn({ error: errorSummary(error) }, 'idle database connection failed'));
  // Fastify closes the listener and waits for requests in flight (each awaiting its batch) before this runs.
  app.addHook('onClose', async () => {
    await producer.disconnect();
    await db.end();
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    db,
    publisher,
    port: () => listeningPort(app),
    async start() {
      // Postgres first: without it no request could be authenticated, so fail at start rather than on each.
      await needPostgres(config.DATABASE_URL, () => db.query('select 1'));
      await needKafka(brokers, () => producer.connect());
      if (overrides.listen === false) {
        await app.ready();
        return;
      }
      await listenOn('INGRESS_PORT', config.INGRESS_PORT, config.HOST, () => app.listen({ host: config.HOST, port: config.INGRESS_PORT }));
      await (overrides.report ?? reportStartup)({ listening: true });
    },
    close: () => (closing ??= app.close()),
  };
}

/** Created and started; what start-up opened is closed again when it fails. */
export async function startIngress(config: Config, overrides: IngressOverrides = {}): Promise<RunningIngress> {
  const ingress = createIngress(config, overrides);
  try {
    await ingress.start();
  } catch (error) {
    await ingress.close().catch(() => undefined);
    throw error;
  }
  return ingress;
}
