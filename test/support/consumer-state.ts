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
import { CALL_TABLES, createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { readEverything } from '../../kit/topic-reader.ts';

/**
 * Comparing what the consumer wrote with what it should have: the records of a topic as the consumer is
 * handed them, per-table checksums, and a reference database the records were applied to one by one.
 * (The group's committed offsets are in kit/consumer-group.ts.) readRecords: every record of the topic
 * with its partition and offset, as the consumer is handed them.
 */
export async function readRecords(kafka: Kafka, groupId: string, topic: string): Promise<IncomingRecord[]> {
  const records = (await readEverything(kafka, topic, { groupId, timeoutMs: 30_000 })).map(({ partition, message }) => ({
    partition,
    offset: message.offset,
    value: message.value,
    key: message.key,
    headers: message.headers ?? {},
  }));
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

export interface TableChecksum {
  rows: number;
  md5: string;
}

/** Count and md5 of every row's text form, in a fixed order: equal checksums mean equal tables. */
export async function tableChecksums(pool: Pool, tables: readonly string[] = CALL_TABLES): Promise<Record<string, TableChecksum>> {
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
