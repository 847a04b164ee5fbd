import { loadConfigOrExit } from '../../shared/config.ts';
import { createPool } from '../../shared/db/pool.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { exitOnStartupFailure, listenOn, needKafka, needPostgres } from '../../shared/startup-error.ts';
import { reportStartup } from '../../shared/startup-report.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildConsumerServer } from './app.ts';
import { processBatch } from './batch-processor.ts';
import { createCallRecordConsumer } from './call-record-consumer.ts';
import { createConsumerMetrics } from './consumer-metrics.ts';
import { errorSummary } from '../../shared/db/errors.ts';
import { createTimeZoneCache } from './time-zone-cache.ts';

const config = loadConfigOrExit(process.env);
const registry = createMetricsRegistry('consumer');
// One connection per batch in flight, on top of those the readiness check and tenant lookups use.
const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE + config.CONSUMER_PARTITIONS_CONCURRENTLY, 'callstream-consumer');
const tenants = createTenantRepository(db);
const timeZoneOf = createTimeZoneCache(async (tenantId) => (await tenants.find(tenantId))?.timezone, config.TENANT_CACHE_TTL_MS);

const app = buildConsumerServer(
  // Ready: a member of the group (it may be given partitions) and Postgres answers.
  { isReady: async () => consumer.isMember() && (await db.query('select 1')).rowCount === 1 },
  { logger: loggerOptions(config.LOG_LEVEL, 'consumer'), registry },
);
// An idle connection dropped by Postgres is not an error of any batch: the pool replaces it.
db.on('error', (error) => app.log.warn({ error: errorSummary(error) }, 'idle database connection lost'));

const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-consumer`, brokers: config.KAFKA_BROKERS, logger: app.log });
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
  onCrash: () => void app.close().finally(() => process.exit(1)),
});
app.addHook('onClose', async () => {
  await consumer.stop();
  await db.end();
});

closeOnSignals(() => app.close(), (message) => app.log.info(message));
// Alive (healthz) at once; ready (readyz) once the group admitted this member, which can take a session
// timeout when a crashed predecessor still holds its place.
try {
  await needPostgres(config.DATABASE_URL, () => db.query('select 1'));
  await listenOn('CONSUMER_PORT', config.CONSUMER_PORT, config.HOST, () => app.listen({ host: config.HOST, port: config.CONSUMER_PORT }));
  await reportStartup({ listening: true });
  await needKafka(config.KAFKA_BROKERS, () => consumer.start());
} catch (error) {
  await exitOnStartupFailure(error);
}
