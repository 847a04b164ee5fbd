import { describe, expect, it } from 'vitest';
import type { InProcessConsumer } from '../support/pipeline.ts';
import { publishEnvelopes } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { CALL_TABLES, READ_MODEL_TABLES } from '../../kit/test-database.ts';
import { uniqueName } from '../../kit/topics.ts';
import { expectedCounts } from '../support/consumer-workload.ts';
import { copyTenants, startInProcessConsumer, tableChecksums } from '../support/consumer-state.ts';
import { consumerSuite } from '../support/consumer-suite.ts';

/**
 * The topic is the source of truth: consuming it again from the beginning into an empty database (a new
 * consumer group) must rebuild byte-identical tables, whatever batches, rebalances and redeliveries the
 * first pass went through. The first pass here is a group whose members come and go while records flow.
 */
describe('consumer: replaying the topic', () => {
  const consumers: InProcessConsumer[] = [];
  const suite = consumerSuite({ stopConsumers: () => Promise.all(consumers.map((consumer) => consumer.stop())) });
  const { kafka, database } = suite;

  it('rebuilds byte-identical tables in an empty database, after a first pass through rebalances', async () => {
    const first = await database();
    const { topics, envelopes } = await suite.twoZoneWorkload(first, { name: 'los angeles', timezone: 'America/Los_Angeles' }, 90);
    const chunks = Array.from({ length: 6 }, (_, n) => envelopes.filter((_, index) => index % 6 === n));
    await suite.producer.send({ topic: topics.callRecords, messages: [{ key: 'poison', value: 'not json' }] });

    const firstGroup = uniqueName('first-pass');
    const member = () =>
      startInProcessConsumer({ databaseUrl: first.url, groupId: firstGroup, topic: topics.callRecords, dlqTopic: topics.dlq });
    const one = await member();
    consumers.push(one);
    await publishEnvelopes(suite.producer, topics.callRecords, chunks[0]!);
    await publishEnvelopes(suite.producer, topics.callRecords, chunks[1]!);
    const two = await member(); // joins: the partitions are split between the two
    consumers.push(two);
    await publishEnvelopes(suite.producer, topics.callRecords, chunks[2]!);
    await publishEnvelopes(suite.producer, topics.callRecords, chunks[3]!);
    await one.stop(); // leaves: the other takes its partitions over from the committed offsets
    await publishEnvelopes(suite.producer, topics.callRecords, chunks[4]!);
    await publishEnvelopes(suite.producer, topics.callRecords, chunks[5]!);
    await waitUntilConsumed(kafka, firstGroup, topics.callRecords);

    const replay = await database();
    await copyTenants(first.pool, replay.pool);
    const replayGroup = uniqueName('replay');
    consumers.push(
      await startInProcessConsumer({ databaseUrl: replay.url, groupId: replayGroup, topic: topics.callRecords, dlqTopic: topics.dlq }),
    );
    await waitUntilConsumed(kafka, replayGroup, topics.callRecords);

    const tables = ['tenants', ...CALL_TABLES, ...READ_MODEL_TABLES];
    const original = await tableChecksums(first.pool, tables);
    expect(await tableChecksums(replay.pool, tables)).toEqual(original);
    const counts = Object.fromEntries(CALL_TABLES.map((table) => [table, original[table]!.rows]));
    expect(counts).toEqual(expectedCounts(envelopes));
  });
});
