import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { publishEnvelopes } from '../../kit/callbacks.ts';
import { committedOffsets, offsetsOfEveryPartition, waitUntilConsumed } from '../../kit/consumer-group.ts';
import type { TestDatabase } from '../../kit/test-database.ts';
import { uniqueName } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';
import { expectedCounts } from '../support/consumer-workload.ts';
import { readRecords, tableChecksums, withExpectedDatabase } from '../support/consumer-state.ts';
import { killConsumerProcesses, startConsumerProcess } from '../support/consumer-process.ts';
import { consumerProcessEnv, consumerSuite, NO_ROWS, rowCounts } from '../support/consumer-suite.ts';

/**
 * The consumer process (services/consumer/main.ts) killed or stopped in the middle of a batch. The batch
 * is held mid-transaction by a lock this test takes on the last table the consumer writes: its calls are
 * inserted, its commit has not happened.
 */
const APPLICATION = 'callstream-consumer';

async function consumerBackends(db: TestDatabase, where = 'true'): Promise<number[]> {
  const { rows } = await db.pool.query(`select pid from pg_stat_activity where datname = $1 and application_name = $2 and ${where}`, [
    db.name,
    APPLICATION,
  ]);
  return rows.map((row) => row.pid);
}

/** Waits until a consumer transaction waits for our lock, having already written to calls. */
async function waitForBlockedBatch(db: TestDatabase): Promise<number> {
  return eventually(async () => {
    const [pid] = await consumerBackends(db, `wait_event_type = 'Lock'`);
    if (pid === undefined) return undefined;
    const { rows } = await db.pool.query(
      `select 1 from pg_locks where pid = $1 and relation = 'calls'::regclass and mode = 'RowExclusiveLock' and granted`,
      [pid],
    );
    return rows.length === 1 ? pid : undefined;
  });
}

async function holdRecordingsLock(db: TestDatabase): Promise<pg.Client> {
  const locker = new pg.Client({ connectionString: db.url, application_name: 'callstream-test-locker' });
  await locker.connect();
  await locker.query('begin');
  await locker.query('lock table call_recordings in access exclusive mode');
  return locker;
}

async function releaseLock(locker: pg.Client): Promise<void> {
  await locker.query('rollback');
  await locker.end();
}

describe('consumer process: killed or stopped mid-batch', () => {
  const suite = consumerSuite({
    stopConsumers: killConsumerProcesses,
    beforeDrop: (db) => eventually(async () => ((await consumerBackends(db)).length === 0 ? true : undefined)),
  });
  const { kafka } = suite;

  async function scenario() {
    const db = await suite.database();
    const { topics, envelopes } = await suite.twoZoneWorkload(db, { name: 'new york', timezone: 'America/New_York' }, 40);
    const groupId = uniqueName('consumer-crash');
    await publishEnvelopes(suite.producer, topics.callRecords, envelopes);
    const env = {
      ...consumerProcessEnv(db.url, topics, groupId),
      // Two of the three partitions in flight at once: a stop finds batches in flight and one not begun,
      // and /readyz must answer while both hold a connection in a blocked transaction.
      CONSUMER_PARTITIONS_CONCURRENTLY: '2',
    };
    return { db, topics, groupId, envelopes, env };
  }

  /** The scenario's consumer process started, one of its batches held after its insert and before its commit. */
  async function blockedMidBatch() {
    const setup = await scenario();
    const locker = await holdRecordingsLock(setup.db);
    const consumer = await startConsumerProcess(setup.env);
    await waitForBlockedBatch(setup.db);
    return { ...setup, locker, consumer };
  }

  it('loses and duplicates nothing when SIGKILLed after the insert and before the commit', async () => {
    const { db, topics, groupId, envelopes, env, locker, consumer: first } = await blockedMidBatch();

    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await releaseLock(locker);
    // The orphaned transaction ends when its backend finds the client gone: rolled back.
    await eventually(async () => ((await consumerBackends(db)).length === 0 ? true : undefined));
    expect(await rowCounts(db)).toEqual(NO_ROWS);
    // -1 on each of the three partitions: the group committed nothing (an empty map would fail here).
    expect(offsetsOfEveryPartition(await committedOffsets(kafka, groupId, topics.callRecords), 3)).toEqual([-1n, -1n, -1n]);

    const second = await startConsumerProcess(env);
    await waitUntilConsumed(kafka, groupId, topics.callRecords);

    const records = await readRecords(kafka, uniqueName('reader'), topics.callRecords);
    expect(records).toHaveLength(envelopes.length);
    const expected = await withExpectedDatabase(db.pool, records, (reference) => tableChecksums(reference.pool));
    expect(await tableChecksums(db.pool)).toEqual(expected);
    expect(await rowCounts(db)).toEqual(expectedCounts(envelopes));

    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('on SIGTERM finishes the batches in flight, commits exactly their offsets and exits 0', async () => {
    const { db, topics, groupId, envelopes, locker, consumer } = await blockedMidBatch();

    consumer.child.kill('SIGTERM');
    await eventually(async () => (consumer.output().includes('SIGTERM received, shutting down') ? true : undefined));
    await releaseLock(locker);
    expect(await consumer.exited).toEqual({ code: 0, signal: null });

    // The tables hold exactly the messages below the committed offsets: the batch and its offsets went together.
    const committed = await committedOffsets(kafka, groupId, topics.callRecords);
    const records = await readRecords(kafka, uniqueName('reader'), topics.callRecords);
    const done = records.filter((record) => BigInt(record.offset) < (committed.get(record.partition) ?? 0n));
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(envelopes.length);
    const expected = await withExpectedDatabase(db.pool, done, (reference) => tableChecksums(reference.pool));
    expect(await tableChecksums(db.pool)).toEqual(expected);
  });
});
