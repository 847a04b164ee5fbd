import { loadConfigOrExit } from '../../shared/config.ts';
import { createPool } from '../../shared/db/pool.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { createCallRecordPublisher } from '../../shared/kafka/call-record-publisher.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildIngressServer } from './app.ts';

const config = loadConfigOrExit(process.env);
const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-ingress');
const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-ingress`, brokers: config.KAFKA_BROKERS });
const producer = kafka.producer({ allowAutoTopicCreation: false });
const admin = kafka.admin();
const kafkaReachable = async () => (await admin.describeCluster()).brokers.length > 0;

const app = buildIngressServer(
  {
    tenants: createTenantAuthenticator(createTenantRepository(db), config.TENANT_CACHE_TTL_MS),
    publisher: createCallRecordPublisher(producer, config.TOPIC_CALL_RECORDS),
    retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    isReady: async () => (await db.query('select 1')).rowCount === 1 && (await kafkaReachable()),
  },
  {
    bodyLimit: config.BODY_LIMIT_BYTES,
    logger: loggerOptions(config.LOG_LEVEL, 'ingress'),
    registry: createMetricsRegistry('ingress'),
  },
);
app.addHook('onClose', async () => {
  await producer.disconnect();
  await admin.disconnect();
  await db.end();
});

closeOnSignals(() => app.close(), (message) => app.log.info(message));
await producer.connect();
await admin.connect();
await app.listen({ host: config.HOST, port: config.INGRESS_PORT });
