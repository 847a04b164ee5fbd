import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { envelopeOf, recordOf, variantCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { headersOf, readEverything, recordCount, type TopicMessage } from '../../kit/topic-reader.ts';
import { uniqueName } from '../../kit/topics.ts';
import { cli, printed } from '../support/cli.ts';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * npm run cli -- dlq …, on the real broker and database with the real consumer: a record the consumer
 * dead-lettered is listed with where it came from and its error; once the cause is removed (the unknown
 * tenant created), `dlq replay` sends it back to the call-records topic as it was, marked with the dead
 * letter it came from, and the consumer stores it; what still cannot be stored becomes a dead letter again.
 */
const KNOWN_ID = '7a1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6c';
const LATE_ID = '00000000-0000-4000-8000-00000000dead';
const AT = new Date('2026-02-03T04:05:06.000Z');
const eventId = (n: number) => `30000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const NOT_JSON = '{"schemaVersion": 1, "eventId": ';

let pipeline: TestPipeline;
let groupId: string;
const env = () => ({
  DATABASE_URL: pipeline.db.url,
  KAFKA_BROKERS: inject('kafkaBrokers').join(','),
  KAFKA_CLIENT_ID: uniqueName('cli-dlq'),
  TOPIC_CALL_RECORDS: pipeline.topics.callRecords,
  TOPIC_REJECTED: pipeline.topics.rejected,
  TOPIC_DLQ: pipeline.topics.dlq,
});
const run = (...args: string[]) => cli(env(), args);

const known = envelopeOf(KNOWN_ID, variantCallback(1), eventId(1), AT);
const late = envelopeOf(LATE_ID, variantCallback(2), eventId(2), AT);
const lateRecord = { ...recordOf(late), headers: { ...recordOf(late).headers, 'trace-id': 'abc-123' } };

/** The records of a topic in the order the CLI prints them: by timestamp, then partition and offset. */
async function inOrder(topic: string): Promise<TopicMessage[]> {
  return (await readEverything(pipeline.kafka, topic)).sort(
    (a, b) =>
      Number(a.message.timestamp) - Number(b.message.timestamp) ||
      a.partition - b.partition ||
      Number(a.message.offset) - Number(b.message.offset),
  );
}

const plain = (message: KafkaMessage) => ({
  key: message.key?.toString() ?? null,
  value: message.value?.toString() ?? null,
  headers: headersOf(message),
});

let deadLetters: TopicMessage[];
/** Where each original was on the call-records topic, by key. */
const originals = new Map<string, { partition: number; offset: string }>();

beforeAll(async () => {
  pipeline = await startTestPipeline();
  await pipeline.createTenant({ tenantId: KNOWN_ID });
  groupId = uniqueName('cli-dlq-consumer');
  const producer = pipeline.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: pipeline.topics.callRecords,
    acks: -1,
    messages: [recordOf(known), lateRecord, { key: 'not-json', value: NOT_JSON }],
  });
  await producer.disconnect();
  await pipeline.startConsumer(groupId);
  await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);
  for (const { partition, message } of await readEverything(pipeline.kafka, pipeline.topics.callRecords)) {
    originals.set(message.key!.toString(), { partition, offset: message.offset });
  }
  deadLetters = await inOrder(pipeline.topics.dlq);
});
afterAll(() => pipeline?.close());

const listedLine = ({ partition, message }: TopicMessage) => {
  const source = originals.get(message.key!.toString())!;
  const headers = headersOf(message);
  return {
    partition,
    offset: message.offset,
    deadLetteredAt: new Date(Number(message.timestamp)).toISOString(),
    errorCode: headers['error-code'],
    errorMessage: headers['error-message'],
    sourceTopic: pipeline.topics.callRecords,
    sourcePartition: source.partition,
    sourceOffset: source.offset,
    key: message.key!.toString(),
  };
};

describe('dlq list', () => {
  it('prints each dead letter, the oldest first: its position, where it came from and its error', async () => {
    expect(deadLetters.map(({ message }) => message.key?.toString()).sort()).toEqual([`${LATE_ID}:${late.callback.callId}`, 'not-json']);
    const result = await run('dlq', 'list');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual(deadLetters.map(listedLine));
    expect(printed(result)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          key: 'not-json',
          errorCode: 'INVALID_JSON',
          errorMessage: expect.stringMatching(/^the value is not JSON: /),
        }),
        expect.objectContaining({
          key: `${LATE_ID}:${late.callback.callId}`,
          errorCode: 'UNKNOWN_TENANT',
          errorMessage: `tenant ${LATE_ID} does not exist`,
        }),
      ]),
    );
  });

  it('--limit keeps the oldest; --since the ones written at or after it', async () => {
    expect(printed(await run('dlq', 'list', '--limit', '1'))).toEqual([listedLine(deadLetters[0]!)]);
    const first = new Date(Number(deadLetters[0]!.message.timestamp)).toISOString();
    expect(printed(await run('dlq', 'list', '--since', first))).toEqual(deadLetters.map(listedLine));
    const last = Number(deadLetters[deadLetters.length - 1]!.message.timestamp);
    expect(await run('dlq', 'list', '--since', new Date(last + 1).toISOString())).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('dlq replay', () => {
  it('--dry-run counts the dead letters by error and sends nothing', async () => {
    const before = await recordCount(pipeline.kafka, pipeline.topics.callRecords);
    expect(await run('dlq', 'replay', '--dry-run')).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ dryRun: true, replayed: 2, byErrorCode: { INVALID_JSON: 1, UNKNOWN_TENANT: 1 } })}\n`,
      stderr: '',
    });
    expect(await recordCount(pipeline.kafka, pipeline.topics.callRecords)).toBe(before);
  });

  it('once the cause is removed, sends the originals back, marked, and the consumer stores the call', async () => {
    await pipeline.createTenant({ tenantId: LATE_ID });
    const result = await run('dlq', 'replay');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([{ dryRun: false, replayed: 2, byErrorCode: { INVALID_JSON: 1, UNKNOWN_TENANT: 1 } }]);

    // The originals as they were (key, value, headers; so the same partition), plus where they came from.
    const marked = (await readEverything(pipeline.kafka, pipeline.topics.callRecords)).filter(
      ({ message }) => headersOf(message)['replayed-from'] !== undefined,
    );
    const mark = ({ partition, message }: TopicMessage) => `${pipeline.topics.dlq}:${partition}:${message.offset}`;
    const byKey = (key: string) => deadLetters.find(({ message }) => message.key?.toString() === key)!;
    const lateKey = `${LATE_ID}:${late.callback.callId}`;
    expect(marked.map(({ partition, message }) => ({ partition, ...plain(message) })).sort((a, b) => (a.key! < b.key! ? -1 : 1))).toEqual([
      {
        partition: originals.get(lateKey)!.partition,
        key: lateKey,
        value: lateRecord.value,
        headers: { ...lateRecord.headers, 'replayed-from': mark(byKey(lateKey)) },
      },
      {
        partition: originals.get('not-json')!.partition,
        key: 'not-json',
        value: NOT_JSON,
        headers: { 'replayed-from': mark(byKey('not-json')) },
      },
    ]);

    await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);
    const lateCopy = marked.find(({ message }) => message.key?.toString() === lateKey)!;
    const { rows } = await pipeline.db.pool.query(
      'select tenant_id, call_id, event_id, received_at, source_partition, source_offset from calls order by tenant_id',
    );
    expect(rows).toEqual([
      {
        tenant_id: LATE_ID,
        call_id: late.callback.callId,
        event_id: late.eventId,
        received_at: AT,
        source_partition: lateCopy.partition,
        source_offset: Number(lateCopy.message.offset),
      },
      {
        tenant_id: KNOWN_ID,
        call_id: known.callback.callId,
        event_id: known.eventId,
        received_at: AT,
        source_partition: originals.get(`${KNOWN_ID}:${known.callback.callId}`)!.partition,
        source_offset: Number(originals.get(`${KNOWN_ID}:${known.callback.callId}`)!.offset),
      },
    ]);

    // What still cannot be stored is a dead letter again, its mark kept: a second replay can be traced to the first.
    const now = await inOrder(pipeline.topics.dlq);
    expect(now).toHaveLength(3);
    const again = now.find(
      (letter) => !deadLetters.some((old) => old.partition === letter.partition && old.message.offset === letter.message.offset),
    )!;
    const notJsonCopy = marked.find(({ message }) => message.key?.toString() === 'not-json')!;
    expect(plain(again.message)).toEqual({
      key: 'not-json',
      value: NOT_JSON,
      headers: {
        'replayed-from': mark(byKey('not-json')),
        'error-code': 'INVALID_JSON',
        'error-message': expect.stringMatching(/^the value is not JSON: /),
        'source-topic': pipeline.topics.callRecords,
        'source-partition': String(notJsonCopy.partition),
        'source-offset': notJsonCopy.message.offset,
      },
    });
  });

  it('--since replays only the dead letters written from then on', async () => {
    const letters = await inOrder(pipeline.topics.dlq);
    const newest = new Date(Number(letters[letters.length - 1]!.message.timestamp)).toISOString();
    expect(printed(await run('dlq', 'replay', '--since', newest, '--dry-run'))).toEqual([
      { dryRun: true, replayed: 1, byErrorCode: { INVALID_JSON: 1 } },
    ]);
  });
});

describe('bad input changes nothing', () => {
  const state = async () => ({
    published: await recordCount(pipeline.kafka, pipeline.topics.callRecords),
    letters: await recordCount(pipeline.kafka, pipeline.topics.dlq),
    calls: (await pipeline.db.pool.query('select call_id, source_offset from calls order by call_id')).rows,
  });

  it.each([
    [
      ['list', '--since', 'last week'],
      '--since "last week" is not a time: give a time with its zone (2026-01-02T03:04:05Z, 2026-01-02T12:04:05+09:00) or a date (00:00 UTC)',
      'usage: npm run cli -- dlq list [--since ISO] [--limit N]',
    ],
    [
      ['list', '--limit', '-1'],
      '--limit needs a value (a value starting with "-" is written --limit=-…)',
      'usage: npm run cli -- dlq list [--since ISO] [--limit N]',
    ],
    [
      ['list', '--limit=-1'],
      '--limit -1 is not a whole number from 1 to 1000000',
      'usage: npm run cli -- dlq list [--since ISO] [--limit N]',
    ],
    [
      ['replay', '--since', '2026-13-01'],
      '--since 2026-13-01 is not a time: give a time with its zone (2026-01-02T03:04:05Z, 2026-01-02T12:04:05+09:00) or a date (00:00 UTC)',
      'usage: npm run cli -- dlq replay [--since ISO] [--dry-run]',
    ],
    [['replay', '--limit', '1'], 'unknown option --limit', 'usage: npm run cli -- dlq replay [--since ISO] [--dry-run]'],
    [['replay', 'everything'], 'unexpected argument "everything"', 'usage: npm run cli -- dlq replay [--since ISO] [--dry-run]'],
  ])('dlq %j is a usage error: exit code 2, %s, then the usage', async (args, line, usage) => {
    const before = await state();
    expect(await run('dlq', ...args)).toEqual({ code: 2, stdout: '', stderr: `${line}\n${usage}\n` });
    expect(await state()).toEqual(before);
  });

  it('a missing dead-letter topic names TOPIC_DLQ, and nothing is sent', async () => {
    const before = await state();
    expect(await cli({ ...env(), TOPIC_DLQ: 'no-such-topic.dlq' }, ['dlq', 'replay'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'topic no-such-topic.dlq (TOPIC_DLQ) does not exist: npm run setup creates it\n',
    });
    expect(await state()).toEqual(before);
  });
});
