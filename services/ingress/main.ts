import { Partitioners } from 'kafkajs';
import { loadConfigOrExit } from '../../shared/config.ts';
import { createPool } from '../../shared/db/pool.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { createCallRecordPublisher } from './publish/call-record-publisher.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { exitOnStartupFailure, listenOn, needKafka, needPostgres } from '../../shared/startup-error.ts';
import { reportStartup } from '../../shared/startup-report.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildIngressServer } from './app.ts';
import { publishBatchMetrics } from './metrics.ts';

const config = loadConfigOrExit(process.env);
const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-ingress');
const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-ingress`, brokers: config.KAFKA_BROKERS });
// Not idempotent (see coalescing-producer.ts). Few retries: the publisher answers 503 after PRODUCE_TIMEOUT_MS
// anyway, the sender retries the whole request, and a stuck batch should not hold the queue for long.
// Keys are partitioned with Kafka's own murmur2, as a Java producer would, so subscribers can rely on it.
const producer = kafka.producer({
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
  retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
});
const registry = createMetricsRegistry('ingress');
const publisher = createCallRecordPublisher(
  producer,
  { callRecords: config.TOPIC_CALL_RECORDS, rejected: config.TOPIC_REJECTED },
  config,
  publishBatchMetrics(registry),
);

const app = buildIngressServer(
  {
    tenants: createTenantAuthenticator(createTenantRepository(db), config.TENANT_CACHE_TTL_MS),
    publisher,
    retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    isReady: async () => (await db.query('select 1')).rowCount === 1,
  },
  { limits: config, logger: loggerOptions(config.LOG_LEVEL, 'ingress'), registry },
);
// An idle connection that breaks (Postgres restarted) is dropped by the pool; it must not crash the process.
db.on('error', (error) => app.log.warn({ err: error }, 'idle database connection failed'));
// Fastify closes the listener and waits for requests in flight (each awaiting its batch) before this runs.
app.addHook('onClose', async () => {
  await producer.disconnect();
  await db.end();
});

closeOnSignals(() => app.close(), (message) => app.log.info(message));
try {
  // Postgres first: without it no request could be authenticated, so fail at start rather than on each.
  await needPostgres(config.DATABASE_URL, () => db.query('select 1'));
  await needKafka(config.KAFKA_BROKERS, () => producer.connect());
  await listenOn('INGRESS_PORT', config.INGRESS_PORT, config.HOST, () => app.listen({ host: config.HOST, port: config.INGRESS_PORT }));
  await reportStartup({ listening: true });
} catch (error) {
  await exitOnStartupFailure(error);
}
