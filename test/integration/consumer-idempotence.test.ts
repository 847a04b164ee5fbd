import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Envelope } from '../../shared/callback/envelope.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import type { InProcessConsumer } from '../support/pipeline.ts';
import { envelopeOf, publishEnvelopes, variantCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { CALL_TABLES, createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, uniqueName } from '../../kit/topics.ts';
import { expectedCounts } from '../support/consumer-workload.ts';
import { startInProcessConsumer } from '../support/consumer-state.ts';

/**
 * Senders redeliver, and an old delivery can arrive after a newer one. Whatever the order and however the
 * deliveries fall into batches, the call ends up once, with the newest data and only the newest child rows.
 */
const CALL = 5; // two sessions; version 0 and version 1 differ in lines, labels and remark
const T0 = Date.parse('2026-03-01T00:00:00Z');

function deliveries(tenantId: string): { all: Envelope[]; newer: Envelope } {
  const id = (n: number) => `20000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const sameFiveTimes = [0, 1, 2, 3, 4].map((n) => envelopeOf(tenantId, variantCallback(CALL, 0), id(n), new Date(T0 + n * 1_000)));
  const newer = envelopeOf(tenantId, variantCallback(CALL, 1), id(5), new Date(T0 + 10_000));
  const olderAfterNewer = envelopeOf(tenantId, variantCallback(CALL, 0), id(6), new Date(T0 + 6_000));
  return { all: [...sameFiveTimes, newer, olderAfterNewer], newer };
}

describe('consumer: redelivered and out-of-order callbacks', () => {
  const kafka = testKafka(inject('kafkaBrokers'));
  let db: TestDatabase;
  let producer: Producer;
  const consumers: InProcessConsumer[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await producer?.disconnect();
    await db?.drop();
  });

  async function tenantWithTopics() {
    const { tenantId } = await createTenantRepository(db.pool).create({ name: 'redeliveries', timezone: 'Asia/Tokyo' });
    const topics = await createTestTopics(kafka, 1);
    const groupId = uniqueName('idempotence');
    return { tenantId, topics, groupId };
  }

  async function storedCall(tenantId: string) {
    const counts: Record<string, number> = {};
    for (const table of CALL_TABLES) {
      const { rows } = await db.pool.query(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId]);
      counts[table] = rows[0].n;
    }
    const call = await db.pool.query('select call_id, event_id, received_at, remark, label_infos from calls where tenant_id = $1', [
      tenantId,
    ]);
    const lines = await db.pool.query(
      'select instance_seq, seq, content from dialogue_lines where tenant_id = $1 order by instance_seq, seq',
      [tenantId],
    );
    return { counts, calls: call.rows, lines: lines.rows };
  }

  function expectNewest(stored: Awaited<ReturnType<typeof storedCall>>, all: Envelope[], newer: Envelope) {
    expect(stored.calls).toEqual([
      {
        call_id: newer.callback.callId,
        event_id: newer.eventId,
        received_at: new Date(newer.receivedAt),
        remark: 'version 1',
        label_infos: [],
      },
    ]);
    expect(stored.lines).toEqual([
      { instance_seq: 1, seq: 1, content: `line 0 of call ${CALL}, version 1` },
      { instance_seq: 2, seq: 1, content: `line 0 of call ${CALL}, version 1` },
      { instance_seq: 2, seq: 2, content: `line 1 of call ${CALL}, version 1` },
    ]);
    expect(stored.counts).toEqual({ ...expectedCounts(all) });
    expect(stored.counts).toEqual({
      calls: 1,
      call_instances: 2,
      dialogue_lines: 3,
      call_labels: 1,
      call_variables: 2,
      call_recordings: 0,
    });
  }

  it('keeps one call with the newest data when all deliveries arrive in one batch', async () => {
    const { tenantId, topics, groupId } = await tenantWithTopics();
    const { all, newer } = deliveries(tenantId);
    await publishEnvelopes(producer, topics.callRecords, all);
    consumers.push(await startInProcessConsumer({ databaseUrl: db.url, groupId, topic: topics.callRecords, dlqTopic: topics.dlq }));
    await waitUntilConsumed(kafka, groupId, topics.callRecords);

    expectNewest(await storedCall(tenantId), all, newer);
  });

  it('keeps one call with the newest data when each delivery is its own batch', async () => {
    const { tenantId, topics, groupId } = await tenantWithTopics();
    const { all, newer } = deliveries(tenantId);
    consumers.push(await startInProcessConsumer({ databaseUrl: db.url, groupId, topic: topics.callRecords, dlqTopic: topics.dlq }));
    for (const envelope of all) {
      await publishEnvelopes(producer, topics.callRecords, [envelope]);
      await waitUntilConsumed(kafka, groupId, topics.callRecords);
      if (envelope === newer) expectNewest(await storedCall(tenantId), all.slice(0, 6), newer);
    }

    expectNewest(await storedCall(tenantId), all, newer);
  });
});
