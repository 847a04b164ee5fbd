import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import type { InProcessConsumer } from '../support/pipeline.ts';
import { publishEnvelopes } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { CALL_TABLES, createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, testKafka, uniqueName } from '../../kit/topics.ts';
import { expectedCounts, redeliveryWorkload } from '../support/consumer-workload.ts';
import { copyTenants, startInProcessConsumer, tableChecksums } from '../support/consumer-state.ts';

/**
 * The topic is the source of truth: consuming it again from the beginning into an empty database (a new
 * consumer group) must rebuild byte-identical tables, whatever batches, rebalances and redeliveries the
 * first pass went through. The first pass here is a group whose members come and go while records flow.
 */
describe('consumer: replaying the topic', () => {
  const kafka = testKafka(inject('kafkaBrokers'));
  const databases: TestDatabase[] = [];
  const consumers: InProcessConsumer[] = [];
  let producer: Producer;

  beforeAll(async () => {
    producer = kafka.producer();
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await producer?.disconnect();
    for (const db of databases) await db.drop();
  });

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    databases.push(db);
    return db;
  }

  it('rebuilds byte-identical tables in an empty database, after a first pass through rebalances', async () => {
    const first = await database();
    const tenants = createTenantRepository(first.pool);
    const tokyo = await tenants.create({ name: 'tokyo', timezone: 'Asia/Tokyo' });
    const losAngeles = await tenants.create({ name: 'los angeles', timezone: 'America/Los_Angeles' });
    const topics = await createTestTopics(kafka, 3);
    const envelopes = redeliveryWorkload([tokyo.tenantId, losAngeles.tenantId], 90);
    const chunks = Array.from({ length: 6 }, (_, n) => envelopes.filter((_, index) => index % 6 === n));
    await producer.send({ topic: topics.callRecords, messages: [{ key: 'poison', value: 'not json' }] });

    const firstGroup = uniqueName('first-pass');
    const member = () =>
      startInProcessConsumer({ databaseUrl: first.url, groupId: firstGroup, topic: topics.callRecords, dlqTopic: topics.dlq });
    const one = await member();
    consumers.push(one);
    await publishEnvelopes(producer, topics.callRecords, chunks[0]!);
    await publishEnvelopes(producer, topics.callRecords, chunks[1]!);
    const two = await member(); // joins: the partitions are split between the two
    consumers.push(two);
    await publishEnvelopes(producer, topics.callRecords, chunks[2]!);
    await publishEnvelopes(producer, topics.callRecords, chunks[3]!);
    await one.stop(); // leaves: the other takes its partitions over from the committed offsets
    await publishEnvelopes(producer, topics.callRecords, chunks[4]!);
    await publishEnvelopes(producer, topics.callRecords, chunks[5]!);
    await waitUntilConsumed(kafka, firstGroup, topics.callRecords);

    const replay = await database();
    await copyTenants(first.pool, replay.pool);
    const replayGroup = uniqueName('replay');
    consumers.push(
      await startInProcessConsumer({ databaseUrl: replay.url, groupId: replayGroup, topic: topics.callRecords, dlqTopic: topics.dlq }),
    );
    await waitUntilConsumed(kafka, replayGroup, topics.callRecords);

    const tables = ['tenants', ...CALL_TABLES];
    const original = await tableChecksums(first.pool, tables);
    expect(await tableChecksums(replay.pool, tables)).toEqual(original);
    const counts = Object.fromEntries(CALL_TABLES.map((table) => [table, original[table]!.rows]));
    expect(counts).toEqual(expectedCounts(envelopes));
  });
});
