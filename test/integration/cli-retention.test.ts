import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startConsumer, type RunningConsumer } from '../../services/consumer/start.ts';
import { runRetention } from '../../shared/calls/retention-run.ts';
import { setRetentionDays } from '../../shared/tenants/retention.ts';
import { envelopeOf, publishEnvelopes, variantCallback, type RawCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { metricValue } from '../../kit/prometheus-text.ts';
import { CALL_TABLES } from '../../kit/test-database.ts';
import { createTestTopics, uniqueName } from '../../kit/topics.ts';
import { cli, printed } from '../support/cli.ts';
import { eventually, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';
import { failTestOnCrash, IN_PROCESS, testServiceConfig } from '../support/service-config.ts';

/**
 * Retention on the real broker and database with the real consumer: `npm run cli -- retention run`
 * deletes exactly the calls whose callStartTime is older than their tenant's retention, with all their
 * rows, in batches that skip a call another transaction holds; the consumer runs the same job every
 * RETENTION_INTERVAL_MS and counts what it deleted. Bad input changes nothing.
 */
const TEN_DAYS = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const FOR_EVER = '7a2d3c4b-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const THIRTY_DAYS = '8b3e4d5c-6f7a-4b8c-9d0e-1f2a3b4c5d6e';
const UNKNOWN_ID = '0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `yyyy-MM-dd HH:mm:ss` of an instant in UTC, the zone of every tenant here. */
const utcLocal = (at: Date) => at.toISOString().replace('T', ' ').slice(0, 19);

/** Call `index`, started `age` ms ago. */
function callStartedAgo(index: number, age: number): RawCallback {
  const start = new Date(Date.now() - age);
  return { ...variantCallback(index), callStartTime: utcLocal(start), callEndTime: utcLocal(new Date(start.getTime() + 14_000)) };
}

const CALLS: Record<string, { tenantId: string; call: RawCallback; expired: 'ten days' | 'thirty days' | false }> = {
  tenDays40: { tenantId: TEN_DAYS, call: callStartedAgo(1, 40 * DAY), expired: 'ten days' },
  tenDays11: { tenantId: TEN_DAYS, call: callStartedAgo(2, 11 * DAY), expired: 'ten days' },
  tenDaysAndAnHour: { tenantId: TEN_DAYS, call: callStartedAgo(3, 10 * DAY + HOUR), expired: 'ten days' },
  tenDaysLessAnHour: { tenantId: TEN_DAYS, call: callStartedAgo(4, 10 * DAY - HOUR), expired: false },
  tenDays1: { tenantId: TEN_DAYS, call: callStartedAgo(5, DAY), expired: false },
  forEver400: { tenantId: FOR_EVER, call: callStartedAgo(6, 400 * DAY), expired: false },
  thirtyDays31: { tenantId: THIRTY_DAYS, call: callStartedAgo(7, 31 * DAY), expired: 'thirty days' },
  thirtyDays29: { tenantId: THIRTY_DAYS, call: callStartedAgo(8, 29 * DAY), expired: false },
};
const keyOf = ({ tenantId, call }: { tenantId: string; call: RawCallback }) => `${tenantId}:${call.callId}`;
const keysOf = (names: string[]) => names.map((name) => keyOf(CALLS[name]!)).sort();

let pipeline: TestPipeline;
let producer: Producer;
let groupId: string;
const env = () => ({ DATABASE_URL: pipeline.db.url, KAFKA_BROKERS: inject('kafkaBrokers').join(',') });
const run = (...args: string[]) => cli(env(), args);

async function storedCalls(): Promise<string[]> {
  const { rows } = await pipeline.db.pool.query(`select tenant_id || ':' || call_id as call from calls order by 1`);
  return rows.map((row) => row.call as string);
}

/** Every row of the call tables, each table in a fixed order. */
async function allRows() {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of CALL_TABLES) {
    const { rows } = await pipeline.db.pool.query(`select * from ${table}`);
    snapshot[table] = rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return snapshot;
}

/** The snapshot less the rows of these calls. */
function without(snapshot: Record<string, unknown[]>, keys: string[]) {
  return Object.fromEntries(
    Object.entries(snapshot).map(([table, rows]) => [
      table,
      rows.filter((row) => !keys.includes(`${(row as { tenant_id: string }).tenant_id}:${(row as { call_id: string }).call_id}`)),
    ]),
  );
}

async function publishAndDrain(calls: { tenantId: string; call: RawCallback }[]) {
  const envelopes = calls.map(({ tenantId, call }, index) =>
    envelopeOf(tenantId, call, `20000000-0000-4000-8000-${String(index).padStart(12, '0')}`, new Date()),
  );
  await publishEnvelopes(producer, pipeline.topics.callRecords, envelopes);
  await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);
}

beforeAll(async () => {
  pipeline = await startTestPipeline();
  for (const tenantId of [TEN_DAYS, FOR_EVER, THIRTY_DAYS]) await pipeline.createTenant({ tenantId, timezone: 'UTC' });
  await setRetentionDays(pipeline.db.pool, TEN_DAYS, 10);
  await setRetentionDays(pipeline.db.pool, THIRTY_DAYS, 30);
  producer = pipeline.kafka.producer();
  await producer.connect();
  groupId = uniqueName('cli-retention-consumer');
  await pipeline.startConsumer(groupId);
  await publishAndDrain(Object.values(CALLS));
});
afterAll(async () => {
  await producer?.disconnect();
  await pipeline?.close();
});

describe('retention run: bad input', () => {
  it.each([
    [['--tenant', UNKNOWN_ID], 1, `tenant ${UNKNOWN_ID} does not exist\n`],
    [['--tenant', 'acme'], 1, '--tenant acme is not a UUID\n'],
    [['everything'], 2, 'unexpected argument "everything"\nusage: npm run cli -- retention run [--tenant ID]\n'],
    [['--days', '3'], 2, 'unknown option --days\nusage: npm run cli -- retention run [--tenant ID]\n'],
  ])('%j: one line, exit %i, nothing deleted', async (args, code, stderr) => {
    const before = await allRows();
    expect(await run('retention', 'run', ...args)).toEqual({ code, stdout: '', stderr });
    expect(await allRows()).toEqual(before);
  });
});

describe('retention run', () => {
  it('a tenant without a retention keeps every call, and says so', async () => {
    const before = await allRows();
    const result = await run('retention', 'run', '--tenant', FOR_EVER);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([
      { deletedCalls: 0, tenants: [{ tenantId: FOR_EVER, retentionDays: null, deletedBefore: null, deletedCalls: 0 }] },
    ]);
    expect(await allRows()).toEqual(before);
  });

  it("--tenant deletes exactly that tenant's calls older than its retention, with every row of theirs", async () => {
    const before = await allRows();
    const startedAt = Date.now();
    const result = await run('retention', 'run', '--tenant', TEN_DAYS.toUpperCase());
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const [summary] = printed(result) as [{ tenants: [{ deletedBefore: string }] }];
    expect(summary).toEqual({
      deletedCalls: 3,
      tenants: [{ tenantId: TEN_DAYS, retentionDays: 10, deletedBefore: expect.any(String), deletedCalls: 3 }],
    });
    const cutoff = Date.parse(summary.tenants[0].deletedBefore);
    expect(cutoff).toBeGreaterThanOrEqual(startedAt - 10 * DAY - 1_000);
    expect(cutoff).toBeLessThanOrEqual(Date.now() - 10 * DAY);

    expect(await storedCalls()).toEqual(keysOf(['tenDaysLessAnHour', 'tenDays1', 'forEver400', 'thirtyDays31', 'thirtyDays29']));
    expect(await allRows()).toEqual(without(before, keysOf(['tenDays40', 'tenDays11', 'tenDaysAndAnHour'])));
  });

  it('without --tenant, every tenant with a retention, in tenant id order; a second run finds nothing', async () => {
    const before = await allRows();
    const result = await run('retention', 'run');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([
      {
        deletedCalls: 1,
        tenants: [
          { tenantId: TEN_DAYS, retentionDays: 10, deletedBefore: expect.any(String), deletedCalls: 0 },
          { tenantId: THIRTY_DAYS, retentionDays: 30, deletedBefore: expect.any(String), deletedCalls: 1 },
        ],
      },
    ]);
    expect(await storedCalls()).toEqual(keysOf(['tenDaysLessAnHour', 'tenDays1', 'forEver400', 'thirtyDays29']));
    expect(await allRows()).toEqual(without(before, keysOf(['thirtyDays31'])));
    expect(printed(await run('retention', 'run'))).toEqual([expect.objectContaining({ deletedCalls: 0 })]);
  });
});

describe('retention in batches', () => {
  const expired = Array.from({ length: 7 }, (_, index) => ({
    tenantId: THIRTY_DAYS,
    call: callStartedAgo(20 + index, 31 * DAY + index * HOUR),
    expired: 'thirty days' as const,
  }));

  it('goes through every expired call in batches, and skips one that another transaction holds', async () => {
    await publishAndDrain(expired);
    const held = expired[3]!;
    const holder = await pipeline.db.pool.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from calls where tenant_id = $1 and call_id = $2 for update', [held.tenantId, held.call.callId]);
      const deletions: number[] = [];
      const result = await runRetention(pipeline.db.pool, {
        tenantId: THIRTY_DAYS,
        batchSize: 2,
        onDeleted: (calls) => deletions.push(calls),
      });
      expect(result.deletedCalls).toBe(6);
      // Three full batches, then one that finds none left (the held call is not taken).
      expect(deletions).toEqual([2, 2, 2, 0]);
      expect(await storedCalls()).toEqual([...keysOf(['tenDaysLessAnHour', 'tenDays1', 'forEver400', 'thirtyDays29']), keyOf(held)].sort());
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    expect((await runRetention(pipeline.db.pool, { tenantId: THIRTY_DAYS, batchSize: 2 })).deletedCalls).toBe(1);
    expect(await storedCalls()).toEqual(keysOf(['tenDaysLessAnHour', 'tenDays1', 'forEver400', 'thirtyDays29']));
  });
});

describe("the consumer's periodic retention job", () => {
  let consumer: RunningConsumer | undefined;
  afterAll(async () => {
    await consumer?.close();
  });

  it('runs every RETENTION_INTERVAL_MS and counts the calls it deleted (consumer_retention_* metrics)', async () => {
    const expired = [callStartedAgo(40, 12 * DAY), callStartedAgo(41, 50 * DAY)].map((call) => ({ tenantId: TEN_DAYS, call }));
    const kept = { tenantId: TEN_DAYS, call: callStartedAgo(42, 9 * DAY) };
    await publishAndDrain([...expired, kept]);
    expect(await storedCalls()).toEqual(
      [...keysOf(['tenDaysLessAnHour', 'tenDays1', 'forEver400', 'thirtyDays29']), ...[...expired, kept].map(keyOf)].sort(),
    );

    // A consumer of its own (on topics of its own, so that it stores nothing again) whose job runs often.
    const topics = await createTestTopics(pipeline.kafka);
    consumer = await startConsumer(
      testServiceConfig({
        databaseUrl: pipeline.db.url,
        topics,
        group: uniqueName('retention-job'),
        env: { RETENTION_INTERVAL_MS: '200' },
      }),
      { ...IN_PROCESS, onCrash: failTestOnCrash },
    );
    const metrics = async () => (await consumer!.app.inject({ method: 'GET', url: '/metrics' })).body;
    const runs = await eventually(async () => {
      const finished = metricValue(await metrics(), 'consumer_retention_runs_total', { outcome: 'finished' }) ?? 0;
      return finished >= 2 ? finished : undefined;
    });
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(await storedCalls()).toEqual([...keysOf(['tenDaysLessAnHour', 'tenDays1', 'forEver400', 'thirtyDays29']), keyOf(kept)].sort());
    const text = await metrics();
    expect({
      total: metricValue(text, 'consumer_retention_deleted_calls_total'),
      lastRun: metricValue(text, 'consumer_retention_last_run_deleted_calls'),
      failed: metricValue(text, 'consumer_retention_runs_total', { outcome: 'failed' }) ?? 0,
    }).toEqual({ total: 2, lastRun: 0, failed: 0 });
  });
});
