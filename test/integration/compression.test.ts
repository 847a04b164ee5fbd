import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordHeaders, recordKey } from '../../shared/callback/envelope.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { kafkaLoggingOption, resolveKafkaJars } from '../../scripts/local-kafka.ts';
import { envelopeOf, seedCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { storedBatches } from '../../kit/stored-batches.ts';
import { storedRows } from '../support/stored-rows.ts';
import { readAllMessages } from '../../kit/topic-reader.ts';
import { createTestTopics, uniqueName } from '../../kit/topics.ts';
import { startInProcessConsumer } from '../support/consumer-state.ts';
import { consumerSuite } from '../support/consumer-suite.ts';
import { postCallback, startTestPipeline, type InProcessConsumer, type TestPipeline } from '../support/pipeline.ts';

/**
 * KAFKA_COMPRESSION for real: the seed-000 callback through the ingress → Kafka → consumer → Postgres in
 * each codec the ingress writes, with the record batches on the topics read back from the broker to
 * show they carry that codec (and none when compression is off); and records that another producer,
 * Kafka's own Java console producer, wrote in each codec Kafka has, stored by the consumer all the same.
 */
const expectedRows = JSON.parse(readFileSync(new URL('../fixtures/seed-000-rows.json', import.meta.url), 'utf8'));
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const EVENT_ID = '5b0c8c52-0d7e-4e0a-9d43-6a3f3b1f2e11';
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');

describe.each(['none', 'gzip', 'lz4'] as const)('the ingress with KAFKA_COMPRESSION=%s', (codec) => {
  let pipeline: TestPipeline;
  let ingestToken: string;
  const groupId = uniqueName('compression');

  beforeAll(async () => {
    pipeline = await startTestPipeline({ now: () => RECEIVED_AT, env: { KAFKA_COMPRESSION: codec } });
    ({ ingestToken } = await pipeline.createTenant({ tenantId: TENANT_ID }));
    await pipeline.startConsumer(groupId);
  });
  afterAll(() => pipeline?.close());

  it(`publishes the seed-000 callback in ${codec} record batches and the consumer stores exactly its rows`, async () => {
    const accepted = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken }, seedCallback());
    expect(accepted.statusCode).toBe(200);

    const batches = await storedBatches(pipeline.kafka, pipeline.topics.callRecords);
    expect(batches.map(({ codec, records }) => ({ codec, records }))).toEqual([{ codec, records: 1 }]);

    await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);
    const [call] = expectedRows.calls;
    expect(await storedRows(pipeline.db.pool)).toEqual({
      ...expectedRows,
      calls: [{ ...call, event_id: accepted.json().eventId, source_partition: batches[0]!.partition }],
    });
  });

  it(`quarantines a refused callback in ${codec} record batches, body as sent`, async () => {
    const body = JSON.stringify({ ...seedCallback(), labelInfos: [1] });
    const refused = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken }, body);
    expect(refused.statusCode).toBe(422);

    const batches = await storedBatches(pipeline.kafka, pipeline.topics.rejected);
    expect(batches.map(({ codec, records }) => ({ codec, records }))).toEqual([{ codec, records: 1 }]);
    const [record] = await readAllMessages(pipeline.kafka, pipeline.topics.rejected);
    expect(JSON.parse(record!.value!.toString('utf8'))).toEqual({
      schemaVersion: 1,
      eventId: refused.json().error.eventId,
      tenantId: TENANT_ID,
      receivedAt: RECEIVED_AT.toISOString(),
      contentType: 'application/json',
      body,
      issues: refused.json().error.issues,
    });
  });
});

/**
 * The envelope as the ingress publishes it, written by Kafka's console producer (the Java client, with
 * its own codecs from the broker's jars): one line of headers, key and value, tab-separated.
 */
function produceWithJava(topic: string, codec: string): void {
  const envelope = envelopeOf(TENANT_ID, seedCallback(), EVENT_ID, RECEIVED_AT);
  const headers = Object.entries(recordHeaders(envelope)).map(([name, value]) => `${name}:${value}`);
  const line = `${headers.join(',')}\t${recordKey(TENANT_ID, envelope.callback.callId)}\t${JSON.stringify(envelope)}\n`;
  const lib = resolveKafkaJars();
  const run = spawnSync(
    'java',
    [
      '-Xmx128m',
      kafkaLoggingOption(),
      '-cp',
      `${lib}/*`,
      'org.apache.kafka.tools.ConsoleProducer',
      '--bootstrap-server',
      inject('kafkaBrokers').join(','),
      '--topic',
      topic,
      '--compression-codec',
      codec,
      '--request-required-acks',
      'all',
      '--reader-property',
      'parse.headers=true',
      '--reader-property',
      'parse.key=true',
    ],
    { input: line, encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status !== 0) throw new Error(`the console producer exited with ${run.status}: ${run.stderr}${run.stdout}`);
}

describe('records another producer wrote', () => {
  const consumers: InProcessConsumer[] = [];
  const suite = consumerSuite({ stopConsumers: () => Promise.all(consumers.map((consumer) => consumer.stop())) });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('are stored from %s record batches', async (codec) => {
    const db = await suite.database();
    await createTenantRepository(db.pool).create({ tenantId: TENANT_ID, name: 'seed tenant', timezone: 'Asia/Tokyo' });
    const topics = await createTestTopics(suite.kafka, 1);
    produceWithJava(topics.callRecords, codec);

    const batches = await storedBatches(suite.kafka, topics.callRecords);
    expect(batches.map(({ codec, records }) => ({ codec, records }))).toEqual([{ codec, records: 1 }]);

    const groupId = uniqueName(`from-java-${codec}`);
    consumers.push(await startInProcessConsumer({ databaseUrl: db.url, groupId, topic: topics.callRecords, dlqTopic: topics.dlq }));
    await waitUntilConsumed(suite.kafka, groupId, topics.callRecords);
    expect(await storedRows(db.pool)).toEqual(expectedRows);
    expect(await readAllMessages(suite.kafka, topics.dlq)).toEqual([]);
  });
});
