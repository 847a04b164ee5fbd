import type { Config } from '../../shared/config.ts';
import { createServicePool } from '../../shared/db/service-pool.ts';
import type { ReadinessChecks } from '../../shared/http/probes.ts';
import { createKafka, kafkaTarget } from '../../shared/kafka/client.ts';
import { createRecordProducer } from '../../shared/kafka/producer.ts';
import { connectUnlessRefused } from '../../shared/kafka/refusal.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry, registerReadinessMetrics, tenantCacheMetrics } from '../../shared/metrics.ts';
import { listeningPort } from '../../shared/listening-port.ts';
import { listenAndReport, startOrClose, type Service, type ServiceOverrides } from '../../shared/service.ts';
import { needKafka } from '../../shared/startup-error.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { createTracing } from '../../shared/tracing/tracing.ts';
import { buildIngressServer } from './app.ts';
import { createTenantRateLimit } from './fairness/tenant-rate-limit.ts';
import { publishBatchMetrics } from './metrics.ts';
import { createCallRecordPublisher, type CallRecordPublisher } from './publish/call-record-publisher.ts';

/**
 * The ingress composition root: config → pool → producer → app → listen → close, for main.ts and for
 * every test that runs the ingress in-process. A test replaces only what it cannot set through the
 * config (the clock, where log lines go, not listening, the metrics registry, the start-up report).
 */
export interface IngressOverrides extends ServiceOverrides {
  now?: () => Date;
}

/**
 * start(): checks Postgres, connects to Kafka, listens and reports listening. close(): stops listening,
 * waits for requests in flight, then disconnects the producer and closes the pool.
 */
export interface Ingress extends Service {
  publisher: CallRecordPublisher;
}

export type RunningIngress = Omit<Ingress, 'start'>;

/** Everything wired, nothing connected yet: main.ts handles signals from here on, start-up included. */
export function createIngress(config: Config, overrides: IngressOverrides = {}): Ingress {
  const target = kafkaTarget(config);
  const { brokers } = target;
  const pool = createServicePool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-ingress');
  const { db } = pool;
  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-ingress`, ...target });
  // Without kafkajs retries (shared/kafka/producer.ts): the coalescing producer sends a failed batch again itself.
  const producer = createRecordProducer(kafka);
  const registry = overrides.registry ?? createMetricsRegistry('ingress');
  const tracing = createTracing(config, 'ingress', { exporter: overrides.spanExporter, log: () => app.log });
  const publisher = createCallRecordPublisher(
    producer,
    { callRecords: config.TOPIC_CALL_RECORDS, rejected: config.TOPIC_REJECTED },
    config,
    publishBatchMetrics(registry),
    tracing.tracer,
  );
  const readiness = {
    postgres: pool.ready,
    kafka: () => publisher.isConnected(),
  } satisfies ReadinessChecks;
  registerReadinessMetrics(registry, readiness);
  const app = buildIngressServer(
    {
      tenants: createTenantAuthenticator(createTenantRepository(db), config.TENANT_CACHE_TTL_MS, Date.now, tenantCacheMetrics(registry)),
      publisher,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
      rateLimit: createTenantRateLimit({ ratePerSecond: config.TENANT_RATE_PER_SECOND, burst: config.TENANT_BURST }),
      readiness,
      metricsTenantIds: config.METRICS_TENANT_IDS ?? [],
      ...(overrides.now ? { now: overrides.now } : {}),
    },
    { limits: config, logger: overrides.logger ?? loggerOptions(config.LOG_LEVEL, 'ingress'), registry, tracer: tracing.tracer },
  );
  // Fastify closes the listener and waits for requests in flight (each awaiting its batch) before this runs.
  pool.closeWith(app, {
    before: async () => {
      await producer.disconnect();
      await tracing.shutdown();
    },
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    db,
    publisher,
    port: () => listeningPort(app),
    async start() {
      // Postgres first: without it no request could be authenticated, so fail at start rather than on each.
      await pool.reach();
      // Refused (credentials, certificate): start unready; the readiness check connects again every interval.
      const accepted = await needKafka(brokers, () => connectUnlessRefused(() => producer.connect(), brokers, app.log));
      if (!accepted) {
        const stopWatching = producer.on(producer.events.CONNECT, () => {
          stopWatching();
          app.log.info({ brokers: brokers.join(',') }, 'Kafka accepted the connection; ready');
        });
      }
      await listenAndReport(app, { variable: 'INGRESS_PORT', port: config.INGRESS_PORT, host: config.HOST }, overrides);
    },
    close: () => (closing ??= app.close()),
  };
}

/** Created and started; what start-up opened is closed again when it fails. */
export function startIngress(config: Config, overrides: IngressOverrides = {}): Promise<RunningIngress> {
  return startOrClose(createIngress(config, overrides));
}
