import type { Pool } from '../shared/db/pool.ts';
import { createKafka } from '../shared/kafka/client.ts';
import { createTenantRepository, type CreatedTenant } from '../shared/tenants/repository.ts';
import { groupLag, waitUntilConsumed } from './consumer-group.ts';
import type { FaultEnvironment } from './fault-environment.ts';
import { startServiceProcess, type ServiceName, type ServiceProcess } from './service-process.ts';
import { createMigratedDatabase } from './test-database.ts';
import { createTopicSet, deleteTopicSet, uniqueName, type TopicSet } from './topics.ts';

/**
 * The pipeline as deployed, for a chaos scenario or a test of the services as processes: a fresh migrated database, its own topics and consumer group, one tenant,
 * and the three services as child processes reaching Postgres through the environment's proxy.
 */
export interface ProcessPipeline {
  database: string;
  pool: Pool;
  tenant: CreatedTenant;
  topics: TopicSet;
  group: string;
  ingress: ServiceProcess;
  consumers: ServiceProcess[];
  query: ServiceProcess;
  /** Another consumer in the same group (for rebalances). */
  addConsumer(): Promise<ServiceProcess>;
  /** Every service that was started, for the log checks. */
  services(): ServiceProcess[];
  /** Waits until the group committed every partition to its current end; fails after timeoutMs without progress. */
  waitUntilConsumed(timeoutMs: number): Promise<void>;
  /** Records on the call-records topic the group has not committed yet. */
  lag(): Promise<number>;
  close(): Promise<void>;
}

export interface ProcessPipelineOptions {
  logLevel?: string;
  ingressEnv?: Record<string, string>;
}

export async function startProcessPipeline(env: FaultEnvironment, options: ProcessPipelineOptions = {}): Promise<ProcessPipeline> {
  const db = await createMigratedDatabase(env.adminUrl, {
    prefix: 'callstream_chaos',
    poolSize: 3,
    applicationName: 'callstream-chaos-reconcile',
  });
  const { name: database, pool } = db;
  // The run's own connections are not under test: a dropped idle one is simply replaced.
  pool.on('error', () => undefined);
  const tenant = await createTenantRepository(pool).create({ name: 'chaos tenant', timezone: 'Asia/Tokyo' });
  const kafka = createKafka({ clientId: 'callstream-chaos', brokers: env.brokers, connection: {} });
  const topics = await createTopicSet(kafka, 'chaos', 6);
  const group = uniqueName('chaos-group');

  const proxied = new URL(db.url);
  proxied.port = String(env.proxy.port);
  const common = {
    DATABASE_URL: proxied.toString(),
    DATABASE_POOL_SIZE: '4',
    KAFKA_BROKERS: env.brokers.join(','),
    TOPIC_CALL_RECORDS: topics.callRecords,
    TOPIC_REJECTED: topics.rejected,
    TOPIC_DLQ: topics.dlq,
    CONSUMER_GROUP: group,
    LOG_LEVEL: options.logLevel ?? 'warn',
    RETRY_AFTER_SECONDS: '1',
    TENANT_CACHE_TTL_MS: '30000',
    CONSUMER_SESSION_TIMEOUT_MS: '6000',
    CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
    CONSUMER_RETRY_INITIAL_MS: '100',
    CONSUMER_RETRY_MAX_MS: '2000',
  };
  const all: ServiceProcess[] = [];
  const start = async (name: ServiceName, extra: Record<string, string> = {}) => {
    const service = await startServiceProcess(name, { env: { ...common, ...extra } });
    all.push(service);
    return service;
  };
  const [ingress, consumer, query] = await Promise.all([start('ingress', options.ingressEnv), start('consumer'), start('query')]);
  const consumers = [consumer];

  return {
    database,
    pool,
    tenant,
    topics,
    group,
    ingress,
    consumers,
    query,
    async addConsumer() {
      const added = await start('consumer');
      consumers.push(added);
      return added;
    },
    services: () => all,
    waitUntilConsumed: (timeoutMs) => waitUntilConsumed(kafka, group, topics.callRecords, timeoutMs),
    lag: () => groupLag(kafka, group, topics.callRecords),
    async close() {
      await Promise.all(all.map((service) => service.stop('SIGTERM')));
      await db.drop();
      await deleteTopicSet(kafka, topics);
    },
  };
}
