import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, type Pool } from '../shared/db/pool.ts';
import { migrate } from '../shared/db/migrate.ts';
import { createKafka, ensureTopics } from '../shared/kafka/client.ts';
import { createTenantRepository, type CreatedTenant } from '../shared/tenants/repository.ts';
import { freePort } from '../test/support/ports.ts';
import type { ChaosEnvironment } from './environment.ts';
import { startService, type ServiceProcess } from './service-process.ts';

/**
 * One scenario's pipeline: a fresh migrated database, its own topics and consumer group, one tenant,
 * and the three services as child processes reaching Postgres through the environment's proxy.
 */
export interface ChaosPipeline {
  database: string;
  pool: Pool;
  tenant: CreatedTenant;
  topics: { callRecords: string; rejected: string; dlq: string };
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
  close(): Promise<void>;
}

export interface ChaosPipelineOptions {
  logLevel?: string;
  ingressEnv?: Record<string, string>;
}

export async function startChaosPipeline(env: ChaosEnvironment, options: ChaosPipelineOptions = {}): Promise<ChaosPipeline> {
  const suffix = randomBytes(4).toString('hex');
  const database = `callstream_chaos_${suffix}`;
  const admin = new pg.Client({ connectionString: env.adminUrl });
  await admin.connect();
  await admin.query(`create database ${database}`).finally(() => admin.end());
  const directUrl = new URL(env.adminUrl);
  directUrl.pathname = `/${database}`;
  const pool = createPool(directUrl.toString(), 3, 'callstream-chaos-reconcile');
  // The run's own connections are not under test: a dropped idle one is simply replaced.
  pool.on('error', () => undefined);
  await migrate(pool);
  const tenant = await createTenantRepository(pool).create({ name: 'chaos tenant', timezone: 'Asia/Tokyo' });
  const topics = { callRecords: `chaos.call-records.${suffix}`, rejected: `chaos.rejected.${suffix}`, dlq: `chaos.dlq.${suffix}` };
  const kafka = createKafka({ clientId: 'callstream-chaos', brokers: env.brokers });
  await ensureTopics(kafka, Object.values(topics), 6);
  const group = `chaos-group-${suffix}`;

  const proxied = new URL(directUrl);
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
  const start = async (name: 'ingress' | 'consumer' | 'query', extra: Record<string, string> = {}) => {
    const service = await startService(name, await freePort(), { ...common, ...extra });
    all.push(service);
    return service;
  };
  const [ingress, consumer, query] = await Promise.all([
    start('ingress', options.ingressEnv),
    start('consumer'),
    start('query'),
  ]);
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
    async waitUntilConsumed(timeoutMs) {
      const kafkaAdmin = kafka.admin();
      await kafkaAdmin.connect();
      try {
        const ends = await kafkaAdmin.fetchTopicOffsets(topics.callRecords);
        // A backlog may take long to drain; what must not happen is a group that stops making progress.
        let deadline = Date.now() + timeoutMs;
        let progress = -1n;
        for (;;) {
          const [committed] = await kafkaAdmin.fetchOffsets({ groupId: group, topics: [topics.callRecords] }).catch(() => [undefined]);
          const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
          if (ends.every(({ partition, high }) => high === '0' || (at.get(partition) ?? -1n) >= BigInt(high))) return;
          const total = [...at.values()].reduce((sum, offset) => sum + offset, 0n);
          if (total > progress) [progress, deadline] = [total, Date.now() + timeoutMs];
          if (Date.now() > deadline) throw new Error(`the consumer group made no progress for ${timeoutMs} ms`);
          await new Promise((done) => setTimeout(done, 250));
        }
      } finally {
        await kafkaAdmin.disconnect();
      }
    },
    async close() {
      await Promise.all(all.map((service) => service.stop('SIGTERM')));
      await pool.end();
      const client = new pg.Client({ connectionString: env.adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${database} with (force)`).finally(() => client.end());
    },
  };
}
