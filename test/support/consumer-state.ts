import type { KafkaLogger } from '../../shared/kafka/client.ts';
import { inject } from 'vitest';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Pool } from '../../shared/db/pool.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { processBatch, type IncomingRecord } from '../../services/consumer/batch-processor.ts';
import { createCallRecordConsumer, type CallRecordConsumer } from '../../services/consumer/call-record-consumer.ts';
import { createConsumerMetrics } from '../../services/consumer/consumer-metrics.ts';
import { createTimeZoneCache } from '../../services/consumer/time-zone-cache.ts';
import { createTestDatabase, type TestDatabase } from './postgres.ts';
import { eventually } from './pipeline.ts';
import { CONSUMER_TABLES } from './consumer-workload.ts';

/**
 * Observing what the consumer did: its group's committed offsets, the records of a topic, and
 * per-table checksums, plus an in-process consumer and a reference database to compare with.
 */
export async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, BigInt(offset)]));
  } finally {
    await admin.disconnect();
  }
}

export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group committed every partition up to its end as it is now: everything processed. */
export async function waitUntilConsumed(kafka: Kafka, groupId: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const ends = await endOffsets(kafka, topic);
  await eventually(async () => {
    // A group that just formed may briefly have no coordinator: a retriable error, ask again.
    const committed = await committedOffsets(kafka, groupId, topic).catch((error: { retriable?: boolean }) => {
      if (error.retriable) return undefined;
      throw error;
    });
    if (!committed) return undefined;
    // An empty partition needs no commit; elsewhere -1 (nothing committed yet) is behind the end.
    return [...ends].every(([partition, end]) => end === 0n || (committed.get(partition) ?? -1n) >= end) || undefined;
  }, timeoutMs);
}

/** Every record of the topic with its partition and offset, as the consumer is handed them. */
export async function readRecords(kafka: Kafka, groupId: string, topic: string): Promise<IncomingRecord[]> {
  const ends = await endOffsets(kafka, topic);
  const total = [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
  const records: IncomingRecord[] = [];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({ partition, offset: message.offset, value: message.value, key: message.key, headers: message.headers ?? {} });
      },
    });
    await eventually(async () => records.length >= total || undefined, 30_000);
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

export interface TableChecksum {
  rows: number;
  md5: string;
}

/** Count and md5 of every row's text form, in a fixed order: equal checksums mean equal tables. */
export async function tableChecksums(pool: Pool, tables: readonly string[] = CONSUMER_TABLES): Promise<Record<string, TableChecksum>> {
  const result: Record<string, TableChecksum> = {};
  for (const table of tables) {
    const { rows } = await pool.query<{ rows: number; md5: string }>(
      `select count(*)::int as rows, md5(coalesce(string_agg(t::text, e'\\n' order by t::text collate "C"), '')) as md5
       from ${table} t`,
    );
    result[table] = rows[0]!;
  }
  return result;
}

export function timeZonesOf(pool: Pool) {
  const tenants = createTenantRepository(pool);
  return createTimeZoneCache(async (tenantId) => (await tenants.find(tenantId))?.timezone, 60_000);
}

/** Copies the tenants (every column) so that another database resolves them the same way. */
export async function copyTenants(from: Pool, to: Pool): Promise<void> {
  const { rows } = await from.query('select to_json(array_agg(t)) as tenants from tenants t');
  await to.query('insert into tenants select * from json_populate_recordset(null::tenants, $1::json)', [
    JSON.stringify(rows[0].tenants ?? []),
  ]);
}

/**
 * What the tables must hold after the records: a fresh database where processBatch applied them in
 * order, one message per batch, with nothing crashing in between.
 */
export async function withExpectedDatabase<T>(
  tenantsFrom: Pool,
  records: IncomingRecord[],
  fn: (db: TestDatabase) => Promise<T>,
): Promise<T> {
  const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  try {
    await copyTenants(tenantsFrom, db.pool);
    const timeZoneOf = timeZonesOf(db.pool);
    for (const record of records) await processBatch(db.pool, timeZoneOf, [record]);
    return await fn(db);
  } finally {
    await db.drop();
  }
}

/** The consumer as main.ts wires it, in this process, on a test's database and topics. */
export async function startInProcessConsumer(options: {
  kafka: Kafka;
  pool: Pool;
  groupId: string;
  topic: string;
  dlqTopic: string;
  registry?: Registry;
  logger?: KafkaLogger;
}): Promise<CallRecordConsumer> {
  const timeZoneOf = timeZonesOf(options.pool);
  const consumer = createCallRecordConsumer(options.kafka, {
    groupId: options.groupId,
    topic: options.topic,
    dlqTopic: options.dlqTopic,
    handle: (records) => processBatch(options.pool, timeZoneOf, records),
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    retry: { initialMs: 50, maxMs: 1_000 },
    maxWaitTimeMs: 500,
    ...(options.registry ? { metrics: createConsumerMetrics(options.registry) } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  await consumer.start();
  return consumer;
}
