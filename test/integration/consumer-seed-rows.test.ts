import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import type { InProcessConsumer } from '../support/pipeline.ts';
import { envelopeOf, publishEnvelopes, seedCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import type { TestDatabase } from '../../kit/test-database.ts';
import { storedRows } from '../support/stored-rows.ts';
import { createTestTopics, uniqueName, type TopicSet } from '../../kit/topics.ts';
import { startInProcessConsumer } from '../support/consumer-state.ts';
import { consumerSuite } from '../support/consumer-suite.ts';

/**
 * The seed-000 sample, delivered once, must become exactly the checked-in rows of every table
 * (test/fixtures/seed-000-rows.json): each column typed and converted, times read in the tenant's zone,
 * the read model (the call's derived columns, its contact) with it.
 */
const expectedRows = JSON.parse(readFileSync(new URL('../fixtures/seed-000-rows.json', import.meta.url), 'utf8'));
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const EVENT_ID = '5b0c8c52-0d7e-4e0a-9d43-6a3f3b1f2e11';
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');

describe('consumer: the seed-000 sample', () => {
  let consumer: InProcessConsumer | undefined;
  const suite = consumerSuite({ stopConsumers: async () => consumer?.stop() });
  const { kafka } = suite;
  let db: TestDatabase;
  let topics: TopicSet;

  beforeAll(async () => {
    db = await suite.database();
    await createTenantRepository(db.pool).create({ tenantId: TENANT_ID, name: 'seed tenant', timezone: 'Asia/Tokyo' });
    topics = await createTestTopics(kafka, 1);
  });

  it('writes exactly the expected rows in every table, column by column', async () => {
    await publishEnvelopes(suite.producer, topics.callRecords, [envelopeOf(TENANT_ID, seedCallback(), EVENT_ID, RECEIVED_AT)]);
    const groupId = uniqueName('seed-rows');
    consumer = await startInProcessConsumer({ databaseUrl: db.url, groupId, topic: topics.callRecords, dlqTopic: topics.dlq });
    await waitUntilConsumed(kafka, groupId, topics.callRecords);

    const actual = await storedRows(db.pool);
    expect(actual).toEqual(expectedRows);
  });
});
