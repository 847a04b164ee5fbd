import type { IHeaders } from 'kafkajs';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordHeaders, recordKey } from '../../shared/callback/envelope.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import type { InProcessConsumer } from '../support/pipeline.ts';
import { callIdOf, envelopeOf, variantCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { metricValue } from '../../kit/prometheus-text.ts';
import type { TestDatabase } from '../../kit/test-database.ts';
import { readMessages } from '../../kit/topic-reader.ts';
import { createTestTopics, uniqueName } from '../../kit/topics.ts';
import { expectedCounts } from '../support/consumer-workload.ts';
import { startInProcessConsumer, timeZonesOf } from '../support/consumer-state.ts';
import { consumerSuite, rowCounts } from '../support/consumer-suite.ts';
import { processBatch } from '../../services/consumer/batch-processor.ts';

/**
 * Messages that can never be stored go to the dead-letter topic, alone, with why in their headers and
 * their original key, value and headers intact; the good messages around them in the same batch are
 * written. One of each kind: not JSON, against the schema, unknown tenant, rejected by Postgres, empty.
 */
const TENANT_ID = '7a1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6c';
const UNKNOWN_TENANT_ID = '00000000-0000-4000-8000-00000000dead';
const AT = new Date('2026-02-03T04:05:06.000Z');
const eventId = (n: number) => `30000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function text(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

describe('consumer: poison messages', () => {
  let consumer: InProcessConsumer | undefined;
  const suite = consumerSuite({ stopConsumers: async () => consumer?.stop() });
  const { kafka } = suite;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await suite.database();
    await createTenantRepository(db.pool).create({ tenantId: TENANT_ID, name: 'poison', timezone: 'Asia/Tokyo' });
  });

  it('sends each poison message alone to the DLQ with its error and writes the messages around it', async () => {
    const topics = await createTestTopics(kafka, 1);
    const good = [1, 2, 3, 4, 5].map((index) => envelopeOf(TENANT_ID, variantCallback(index), eventId(index), AT));
    const message = (envelope: (typeof good)[number]) => ({
      key: recordKey(envelope.tenantId, envelope.callback.callId),
      value: JSON.stringify(envelope),
      headers: recordHeaders(envelope),
    });
    const backwards = {
      ...good[0]!,
      eventId: eventId(11),
      callback: { ...good[0]!.callback, callId: callIdOf(11), callEndTime: '2021-05-01 00:00:00' },
    };
    const unknownTenant = envelopeOf(UNKNOWN_TENANT_ID, variantCallback(12), eventId(12), AT);
    const nulInText = envelopeOf(TENANT_ID, { ...variantCallback(13), remark: 'NUL \u0000 inside' }, eventId(13), AT);
    const poison = [
      { key: 'not-json', value: '{"schemaVersion": 1, "eventId": ' },
      message(backwards),
      message(unknownTenant),
      message(nulInText),
      { key: 'tombstone', value: null },
    ];
    // good, poison, good, poison, … in one send: one partition, one batch.
    const messages = good.flatMap((envelope, index) => [message(envelope), poison[index]!]);
    await suite.producer.send({ topic: topics.callRecords, acks: -1, messages });

    const groupId = uniqueName('poison');
    const registry = new Registry();
    const warnings: { fields: object; message: string }[] = [];
    const noop = () => undefined;
    const logger = { error: noop, info: noop, debug: noop, warn: (fields: object, message: string) => warnings.push({ fields, message }) };
    consumer = await startInProcessConsumer({
      databaseUrl: db.url,
      groupId,
      topic: topics.callRecords,
      dlqTopic: topics.dlq,
      registry,
      logger,
    });
    await waitUntilConsumed(kafka, groupId, topics.callRecords);

    const dlq = await readMessages(kafka, topics.dlq, 5);
    const source = (offset: number) => ({ 'source-topic': topics.callRecords, 'source-partition': '0', 'source-offset': String(offset) });
    expect(
      dlq.map((letter) => ({ key: letter.key?.toString(), value: letter.value?.toString() ?? null, headers: text(letter.headers) })),
    ).toEqual([
      {
        key: 'not-json',
        value: poison[0]!.value,
        headers: { 'error-code': 'INVALID_JSON', 'error-message': expect.stringMatching(/^the value is not JSON: /), ...source(1) },
      },
      {
        ...message(backwards),
        headers: {
          ...recordHeaders(backwards),
          'error-code': 'SCHEMA_VIOLATION',
          'error-message': 'callback.callEndTime: must not be before callStartTime',
          ...source(3),
        },
      },
      {
        ...message(unknownTenant),
        headers: {
          ...recordHeaders(unknownTenant),
          'error-code': 'UNKNOWN_TENANT',
          'error-message': `tenant ${UNKNOWN_TENANT_ID} does not exist`,
          ...source(5),
        },
      },
      {
        ...message(nulInText),
        headers: {
          ...recordHeaders(nulInText),
          'error-code': 'DATABASE_REJECTED',
          'error-message': 'unsupported Unicode escape sequence',
          'error-sqlstate': '22P05',
          ...source(7),
        },
      },
      { key: 'tombstone', value: null, headers: { 'error-code': 'EMPTY_VALUE', 'error-message': 'the record has no value', ...source(9) } },
    ]);

    // Each dead letter is one log line an operator can search by tenant and call id.
    const line = (offset: number, code: string, reason: unknown, call: object = {}, extra: object = {}) => ({
      message: 'call dead-lettered',
      fields: { ...call, code, ...extra, reason, partition: 0, offset: String(offset), dlqTopic: topics.dlq },
    });
    const callOf = (envelope: { tenantId: string; callback: { callId: string } }) => ({
      tenantId: envelope.tenantId,
      callId: envelope.callback.callId,
    });
    expect(warnings.filter((warning) => warning.message === 'call dead-lettered')).toEqual([
      line(1, 'INVALID_JSON', expect.stringMatching(/^the value is not JSON: /), { key: 'not-json' }),
      line(3, 'SCHEMA_VIOLATION', 'callback.callEndTime: must not be before callStartTime', callOf(backwards)),
      line(5, 'UNKNOWN_TENANT', `tenant ${UNKNOWN_TENANT_ID} does not exist`, callOf(unknownTenant)),
      line(7, 'DATABASE_REJECTED', 'unsupported Unicode escape sequence', callOf(nulInText), { sqlState: '22P05' }),
      line(9, 'EMPTY_VALUE', 'the record has no value', { key: 'tombstone' }),
    ]);

    const { rows } = await db.pool.query('select call_id, source_offset from calls order by source_offset');
    expect(rows).toEqual(good.map((envelope, index) => ({ call_id: envelope.callback.callId, source_offset: index * 2 })));
    expect(await rowCounts(db)).toEqual(expectedCounts(good));

    const metrics = await registry.metrics();
    for (const code of ['INVALID_JSON', 'SCHEMA_VIOLATION', 'UNKNOWN_TENANT', 'DATABASE_REJECTED', 'EMPTY_VALUE']) {
      expect(metricValue(metrics, 'consumer_dead_letters_total', { code })).toBe(1);
    }
    expect(metricValue(metrics, 'consumer_rows_written_total', { table: 'calls' })).toBe(5);
    expect(metricValue(metrics, 'consumer_messages_total')).toBe(10);
    expect(metricValue(metrics, 'consumer_lag_messages', { topic: topics.callRecords, partition: '0' })).toBe(0);
  });

  it('writes the rest of a batch that Postgres rejects one message of, in the same transaction', async () => {
    const envelopes = [21, 22, 23].map((index) => envelopeOf(TENANT_ID, variantCallback(index), eventId(index), AT));
    envelopes[1] = envelopeOf(TENANT_ID, { ...variantCallback(22), customerCity: '\u0000' }, eventId(22), AT);
    const records = envelopes.map((envelope, offset) => ({
      partition: 2,
      offset: String(100 + offset),
      value: Buffer.from(JSON.stringify(envelope)),
    }));

    const outcome = await processBatch(db.pool, timeZonesOf(db.pool), records);

    expect(outcome.deadLetters).toEqual([
      { record: records[1], code: 'DATABASE_REJECTED', reason: 'unsupported Unicode escape sequence', sqlState: '22P05' },
    ]);
    expect(outcome.written).toBe(2);
    const { rows } = await db.pool.query(
      'select call_id, source_partition, source_offset from calls where call_id = any($1) order by call_id',
      [envelopes.map((envelope) => envelope.callback.callId)],
    );
    expect(rows).toEqual([
      { call_id: callIdOf(21), source_partition: 2, source_offset: 100 },
      { call_id: callIdOf(23), source_partition: 2, source_offset: 102 },
    ]);
  });
  it('replaces the children of a call stored by an earlier message of the same one-at-a-time transaction', async () => {
    // Guards the skipped deletes for new calls: the second version must be seen as an update of the first
    // (written under its own savepoint moments before), or its children would be inserted next to the old ones.
    const first = envelopeOf(TENANT_ID, variantCallback(32, 0), eventId(31), AT);
    const poison = envelopeOf(TENANT_ID, { ...variantCallback(33), customerCity: '\u0000' }, eventId(33), AT);
    const second = envelopeOf(TENANT_ID, variantCallback(32, 1), eventId(32), new Date(AT.getTime() + 1000));
    const records = [first, poison, second].map((envelope, offset) => ({
      partition: 3,
      offset: String(200 + offset),
      value: Buffer.from(JSON.stringify(envelope)),
    }));

    const outcome = await processBatch(db.pool, timeZonesOf(db.pool), records);

    expect(outcome.deadLetters.map((letter) => letter.record)).toEqual([records[1]]);
    expect(outcome.written).toBe(2);
    const tables = ['calls', 'call_instances', 'dialogue_lines', 'call_labels', 'call_variables', 'call_recordings'];
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await db.pool.query(`select count(*)::int as n from ${table} where call_id = $1`, [callIdOf(32)]);
      counts[table] = rows[0].n;
    }
    expect(counts).toEqual(expectedCounts([second]));
    const { rows } = await db.pool.query('select source_offset from calls where call_id = $1', [callIdOf(32)]);
    expect(rows).toEqual([{ source_offset: 202 }]);
  });
});
