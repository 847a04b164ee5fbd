import { loadConfigOrExit } from '../../shared/config.ts';
import { createPool } from '../../shared/db/pool.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildConsumerServer } from './app.ts';
import { processBatch } from './batch-processor.ts';
import { createCallRecordConsumer } from './call-record-consumer.ts';

const config = loadConfigOrExit(process.env);
const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-consumer');
const tenants = createTenantRepository(db);
const timeZoneOf = async (tenantId: string) => (await tenants.find(tenantId))?.timezone;

const app = buildConsumerServer(
  { isReady: async () => (await db.query('select 1')).rowCount === 1 },
  { logger: loggerOptions(config.LOG_LEVEL, 'consumer'), registry: createMetricsRegistry('consumer') },
);
const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-consumer`, brokers: config.KAFKA_BROKERS, logger: app.log });
const consumer = createCallRecordConsumer(kafka, {
  groupId: config.CONSUMER_GROUP,
  topic: config.TOPIC_CALL_RECORDS,
  dlqTopic: config.TOPIC_DLQ,
  handle: (records) => processBatch(db, timeZoneOf, records),
  onBatch: (outcome, partition, records) =>
    app.log.debug({ partition, records, rows: outcome.rows, deadLetters: outcome.deadLetters.length }, 'batch written'),
});
app.addHook('onClose', async () => {
  await consumer.stop();
  await db.end();
});

closeOnSignals(() => app.close(), (message) => app.log.info(message));
await consumer.start();
await app.listen({ host: config.HOST, port: config.CONSUMER_PORT });
