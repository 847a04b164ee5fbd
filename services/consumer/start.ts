import type { Config } from '../../shared/config.ts';
import { createServicePool } from '../../shared/db/service-pool.ts';
import type { ReadinessChecks } from '../../shared/http/probes.ts';
import { createKafka, kafkaTarget } from '../../shared/kafka/client.ts';
import { connectUnlessRefused } from '../../shared/kafka/refusal.ts';
import { listeningPort } from '../../shared/listening-port.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry, registerReadinessMetrics } from '../../shared/metrics.ts';
import { listenAndReport, startOrClose, type Service, type ServiceOverrides } from '../../shared/service.ts';
import { needKafka } from '../../shared/startup-error.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { registerPoolMetrics } from '../../shared/db/pool-metrics.ts';
import { spanContextFromHeaders } from '../../shared/tracing/propagation.ts';
import { createTracing } from '../../shared/tracing/tracing.ts';
import { buildConsumerServer } from './app.ts';
import { processBatch } from './batch-processor.ts';
import { createCallRecordConsumer, type CallRecordConsumer } from './call-record-consumer.ts';
import { createConsumerMetrics, createRetentionMetrics } from './consumer-metrics.ts';
import { joinWhenAccepted } from './join-when-accepted.ts';
import { createRetentionJob } from './retention-job.ts';
import { createTimeZoneCache } from './time-zone-cache.ts';

/**
 * The consumer's composition root: config → pool → time-zone cache → group member → app → listen → join
 * → close, for main.ts and for every test that runs the consumer in-process. Overrides are what a config
 * cannot say. The logger is also the kafkajs and batch logger; with listen: false (probes through
 * app.inject()) the group is joined all the same.
 */
export interface ConsumerOverrides extends ServiceOverrides {
  /** kafkajs gave up on the group; by default the process exits 1 (after closing) for its supervisor to restart it. */
  onCrash?: (error: Error) => void;
}

/**
 * start(): checks Postgres, listens, reports listening, then joins the group. close(): stops listening,
 * leaves the group (committing what was written), closes the pool.
 */
export interface ConsumerService extends Service {
  consumer: Pick<CallRecordConsumer, 'isMember'>;
}

export type RunningConsumer = Omit<ConsumerService, 'start'>;

/** Everything wired, nothing connected yet: main.ts handles signals from here on, start-up included. */
export function createConsumer(config: Config, overrides: ConsumerOverrides = {}): ConsumerService {
  const target = kafkaTarget(config);
  const { brokers } = target;
  const registry = overrides.registry ?? createMetricsRegistry('consumer');
  // One connection per batch in flight, on top of those the readiness check and tenant lookups use.
  const poolSize = config.DATABASE_POOL_SIZE + config.CONSUMER_PARTITIONS_CONCURRENTLY;
  const pool = createServicePool(config.DATABASE_URL, poolSize, 'callstream-consumer');
  const { db } = pool;
  registerPoolMetrics(registry, db, poolSize);
  const tracing = createTracing(config, 'consumer', { exporter: overrides.spanExporter, log: () => app.log });
  const tenants = createTenantRepository(db);
  const timeZoneOf = createTimeZoneCache(async (tenantId) => (await tenants.find(tenantId))?.timezone, config.TENANT_CACHE_TTL_MS);

  // Ready: Postgres answers, Kafka accepted the connection, and a member of the group (it may be given partitions).
  let kafkaAccepted = false;
  const readiness = {
    postgres: pool.ready,
    kafka: async () => kafkaAccepted,
    consumerGroup: async () => consumer.isMember(),
  } satisfies ReadinessChecks;
  registerReadinessMetrics(registry, readiness);
  const app = buildConsumerServer({ readiness }, { logger: overrides.logger ?? loggerOptions(config.LOG_LEVEL, 'consumer'), registry });

  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-consumer`, ...target, logger: app.log });
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= app.close());
  const consumer = createCallRecordConsumer(kafka, {
    groupId: config.CONSUMER_GROUP,
    topic: config.TOPIC_CALL_RECORDS,
    dlqTopic: config.TOPIC_DLQ,
    handle: (records, parent) => processBatch(db, timeZoneOf, records, tracing.recording ? { tracer: tracing.tracer, parent } : undefined),
    sessionTimeoutMs: config.CONSUMER_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.CONSUMER_HEARTBEAT_INTERVAL_MS,
    partitionsConcurrently: config.CONSUMER_PARTITIONS_CONCURRENTLY,
    retry: { initialMs: config.CONSUMER_RETRY_INITIAL_MS, maxMs: config.CONSUMER_RETRY_MAX_MS },
    metrics: createConsumerMetrics(registry),
    tracing,
    logger: app.log,
    // The trace id of every record, so that a callback's trace id (its ingress log line, its traceparent)
    // leads to the batch that stored it; built only when the line is written.
    onBatch: (outcome, partition, records) => {
      if (app.log.level !== 'debug' && app.log.level !== 'trace') return;
      const traceIds = records.map((record) => spanContextFromHeaders(record.headers)?.traceId ?? null);
      app.log.debug(
        { partition, records: records.length, rows: outcome.rows, deadLetters: outcome.deadLetters.length, traceIds },
        'batch written',
      );
    },
    // kafkajs gave up: exit, so that the supervisor starts a fresh process (nothing uncommitted is lost).
    onCrash: overrides.onCrash ?? (() => void close().finally(() => process.exit(1))),
  });
  // Expired calls are deleted by the process that writes them, on the same pool (RETENTION_INTERVAL_MS 0: never).
  const retention =
    config.RETENTION_INTERVAL_MS > 0
      ? createRetentionJob({ db, intervalMs: config.RETENTION_INTERVAL_MS, metrics: createRetentionMetrics(registry), log: app.log })
      : undefined;
  // An idle connection dropped by Postgres is not an error of any batch: the pool replaces it.
  pool.closeWith(app, {
    before: async () => {
      await Promise.all([consumer.stop(), retention?.stop()]);
      await tracing.shutdown();
    },
  });

  return {
    app,
    db,
    consumer,
    port: () => listeningPort(app),
    // Alive (healthz) at once; ready (readyz) once the group admitted this member, which can take a session
    // timeout when a crashed predecessor still holds its place.
    async start() {
      await pool.reach();
      retention?.start();
      await listenAndReport(app, { variable: 'CONSUMER_PORT', port: config.CONSUMER_PORT, host: config.HOST }, overrides);
      // Refused (credentials, certificate): stay up, unready, and join once Kafka accepts; not a crash loop.
      kafkaAccepted = await needKafka(brokers, () => connectUnlessRefused(() => consumer.start(), brokers, app.log));
      if (!kafkaAccepted) {
        void joinWhenAccepted({
          join: () => consumer.start(),
          policy: { initialMs: config.CONSUMER_RETRY_INITIAL_MS, maxMs: config.CONSUMER_RETRY_MAX_MS },
          stopped: () => closing !== undefined,
          log: app.log,
        }).then(async (joined) => {
          kafkaAccepted = joined;
          // Joined just as the service began to close: leave again, as close() could not.
          if (joined && closing) await consumer.stop();
        });
      }
    },
    close,
  };
}

/** Created and started (a member of its group); what start-up opened is closed again when it fails. */
export function startConsumer(config: Config, overrides: ConsumerOverrides = {}): Promise<RunningConsumer> {
  return startOrClose(createConsumer(config, overrides));
}
