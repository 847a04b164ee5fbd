import type { KafkaLogger } from '../../shared/kafka/client.ts';
import { inject } from 'vitest';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Pool } from '../../shared/db/pool.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { processBatch, type IncomingRecord } from '../../services/consumer/batch-processor.ts';
import { startConsumer } from '../../services/consumer/start.ts';
import { createTimeZoneCache } from '../../services/consumer/time-zone-cache.ts';
import { CALL_TABLES, createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { readEverything } from '../../kit/topic-reader.ts';
import { inProcessConsumer, type InProcessConsumer } from './pipeline.ts';
import { failTestOnCrash, IN_PROCESS, testServiceConfig } from './service-config.ts';

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

/** The consumer as production starts it (services/consumer/start.ts), in this process, on a test's database and topics. */
export async function startInProcessConsumer(options: {
  databaseUrl: string;
  groupId: string;
  topic: string;
  dlqTopic: string;
  registry?: Registry;
  /** Receives the service's log lines (kafkajs's, the batches', the dead letters') as fields and message. */
  logger?: KafkaLogger;
}): Promise<InProcessConsumer> {
  const config = testServiceConfig({
    databaseUrl: options.databaseUrl,
    topics: { callRecords: options.topic, dlq: options.dlqTopic },
    group: options.groupId,
  });
  const consumer = await startConsumer(config, {
    ...IN_PROCESS,
    onCrash: failTestOnCrash,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.logger ? { logger: linesTo(options.logger) } : {}),
  });
  return inProcessConsumer(consumer);
}

/** A Fastify logger option whose JSON lines reach `logger` as (fields, message), pino's own fields left out. */
function linesTo(logger: KafkaLogger) {
  return {
    level: 'debug',
    stream: {
      write(line: string) {
        const {
          level,
          msg,
          time: _time,
          pid: _pid,
          hostname: _hostname,
          ...fields
        } = JSON.parse(line) as { level: number; msg: string } & Record<string, unknown>;
        const method = level >= 50 ? 'error' : level >= 40 ? 'warn' : level >= 30 ? 'info' : 'debug';
        logger[method](fields, msg);
      },
    },
  };
}
