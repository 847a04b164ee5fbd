import { beforeAll, describe, expect, it } from 'vitest';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { publishEnvelopes } from '../../kit/callbacks.ts';
import { committedOffsets, offsetsOfEveryPartition, waitUntilConsumed } from '../../kit/consumer-group.ts';
import { metricValue } from '../../kit/prometheus-text.ts';
import { startTcpProxy, type TcpProxy } from '../../kit/tcp-proxy.ts';
import type { TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, uniqueName } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';
import { expectedCounts, redeliveryWorkload } from '../support/consumer-workload.ts';
import { readRecords, tableChecksums, withExpectedDatabase } from '../support/consumer-state.ts';
import { killConsumerProcesses, startConsumerProcess } from '../support/consumer-process.ts';
import { consumerProcessEnv, consumerSuite, NO_ROWS, rowCounts } from '../support/consumer-suite.ts';

/**
 * Postgres gone for 10 s while callbacks keep arriving. The consumer process reaches Postgres through a
 * TCP proxy that the test cuts (every connection reset, new ones refused) and restores; the machine's
 * Postgres itself is never touched. The consumer must hold its place, commit nothing while the database
 * is away, and catch up by itself afterwards with nothing skipped.
 */
const OUTAGE_MS = 10_000;

describe('consumer process: Postgres unreachable for 10 s', () => {
  let proxy: TcpProxy;
  const suite = consumerSuite({
    stopConsumers: async () => {
      await killConsumerProcesses();
      await proxy?.close();
    },
  });
  const { kafka } = suite;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await suite.database();
    proxy = await startTcpProxy({ host: new URL(db.url).hostname, port: Number(new URL(db.url).port || 5432) });
  });

  function consumerThroughProxy(database: TestDatabase, topics: { callRecords: string; dlq: string }, groupId: string) {
    const throughProxy = new URL(database.url);
    throughProxy.port = String(proxy.port);
    return startConsumerProcess(consumerProcessEnv(throughProxy.toString(), topics, groupId));
  }

  it('waits, recovers on its own and skips no message', async () => {
    const { topics, envelopes } = await suite.twoZoneWorkload(db, { name: 'berlin', timezone: 'Europe/Berlin' }, 60);
    const groupId = uniqueName('consumer-outage');
    const consumer = await consumerThroughProxy(db, topics, groupId);

    const before = envelopes.slice(0, 20);
    const during = envelopes.slice(20, 60);
    const after = envelopes.slice(60);
    await publishEnvelopes(suite.producer, topics.callRecords, before);
    await waitUntilConsumed(kafka, groupId, topics.callRecords);
    const committedBefore = await committedOffsets(kafka, groupId, topics.callRecords);

    proxy.cut();
    const restoreAt = Date.now() + OUTAGE_MS;
    const step = Math.ceil(during.length / 8);
    for (let start = 0; start < during.length; start += step) {
      await publishEnvelopes(suite.producer, topics.callRecords, during.slice(start, start + step));
      await new Promise((done) => setTimeout(done, OUTAGE_MS / 10));
    }
    // It did meet the outage: batches failed and are being retried, the backlog shows as lag, and the
    // process says it is not ready…
    await eventually(async () => ((metricValue(await consumer.metrics(), 'consumer_batch_retries_total') ?? 0) > 0 ? true : undefined));
    expect(metricValue(await consumer.metrics(), 'consumer_lag_messages', { topic: topics.callRecords })).toBeGreaterThan(0);
    await eventually(async () => ((await consumer.status('/readyz')) === 503 ? true : undefined));
    await new Promise((done) => setTimeout(done, Math.max(0, restoreAt - Date.now())));
    // …and nothing was committed past what had been written before Postgres went away.
    expect(await committedOffsets(kafka, groupId, topics.callRecords)).toEqual(committedBefore);
    proxy.restore();

    await publishEnvelopes(suite.producer, topics.callRecords, after);
    await waitUntilConsumed(kafka, groupId, topics.callRecords);

    expect(consumer.child.exitCode).toBe(null); // the same process recovered; nobody restarted it
    expect(await consumer.status('/readyz')).toBe(200);
    const records = await readRecords(kafka, uniqueName('reader'), topics.callRecords);
    expect(records).toHaveLength(envelopes.length);
    const expected = await withExpectedDatabase(db.pool, records, (reference) => tableChecksums(reference.pool));
    expect(await tableChecksums(db.pool)).toEqual(expected);
    expect(await rowCounts(db)).toEqual(expectedCounts(envelopes));
    const metrics = await consumer.metrics();
    expect(metricValue(metrics, 'consumer_dead_letters_total') ?? 0).toBe(0);
    expect(metricValue(metrics, 'consumer_messages_total')).toBe(envelopes.length);

    consumer.child.kill('SIGTERM');
    expect(await consumer.exited).toEqual({ code: 0, signal: null });
  });

  it('on SIGTERM while Postgres is unreachable, gives the batch up uncommitted, exits 0, and the next process writes it', async () => {
    const other = await suite.database();
    const { tenantId } = await createTenantRepository(other.pool).create({ name: 'osaka', timezone: 'Asia/Tokyo' });
    const topics = await createTestTopics(kafka, 3);
    const groupId = uniqueName('consumer-outage-stop');
    const envelopes = redeliveryWorkload([tenantId], 12);
    const consumer = await consumerThroughProxy(other, topics, groupId);

    proxy.cut();
    await publishEnvelopes(suite.producer, topics.callRecords, envelopes);
    // Even the tenant's timezone cannot be looked up: that too is retried, not dead-lettered.
    await eventually(async () => ((metricValue(await consumer.metrics(), 'consumer_batch_retries_total') ?? 0) > 0 ? true : undefined));
    consumer.child.kill('SIGTERM');
    expect(await consumer.exited).toEqual({ code: 0, signal: null });
    proxy.restore();

    // -1 on each of the three partitions: the group committed nothing (an empty map would fail here).
    expect(offsetsOfEveryPartition(await committedOffsets(kafka, groupId, topics.callRecords), 3)).toEqual([-1n, -1n, -1n]);
    expect(await rowCounts(other)).toEqual(NO_ROWS);

    const next = await consumerThroughProxy(other, topics, groupId);
    await waitUntilConsumed(kafka, groupId, topics.callRecords);
    expect(await rowCounts(other)).toEqual(expectedCounts(envelopes));
    expect(metricValue(await next.metrics(), 'consumer_dead_letters_total') ?? 0).toBe(0);
    next.child.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  });
});
