import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordHeaders } from '../../shared/callback/envelope.ts';
import { envelopeOf, recordOf, variantCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { freePort } from '../../kit/ports.ts';
import { headersOf, readAllMessages, readEverything, recordCount } from '../../kit/topic-reader.ts';
import { createTestTopics, uniqueName } from '../../kit/topics.ts';
import { cli, printed } from '../support/cli.ts';
import { postCallback, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';
import { nodeScript, runScript } from '../support/run-script.ts';

/**
 * npm run cli -- quarantine …, on the real broker and database with the real ingress, consumer and query
 * service: what the ingress refused with 422 is listed and exported as it is on the quarantine topic; a
 * body fixed in the exported file is replayed, stored once however often it is replayed, and answered by
 * the query service with its original receivedAt; what is still invalid is reported and not published;
 * bad input is refused in one line and changes nothing.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const expectedLookup = JSON.parse(readFileSync(new URL('../fixtures/seed-000-call-history.json', import.meta.url), 'utf8'));
// The fixture's customerId is derived from this tenant id.
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const OTHER_ID = '2b9c1d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const UNKNOWN_ID = '0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f';
const CALL_ID = 'eff790c4-90a5-4453-990c-ff7d4aa30914';
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');
const minutesLater = (minutes: number) => new Date(RECEIVED_AT.getTime() + minutes * 60_000);
/** An event id of a record refused by an older schema, written to the quarantine topic by the test. */
const OLDER_EVENT_ID = '40000000-0000-4000-8000-000000000004';
const CLIENT_ID = uniqueName('cli-quarantine');

const BROKEN_BODY = JSON.stringify({ ...seed, callEndTime: '2021-05-29 10:23:00' }, null, 2);
const END_BEFORE_START = [{ path: 'callEndTime', message: 'must not be before callStartTime' }];
const OTHER_BODY = JSON.stringify({ ...variantCallback(2), callStartTime: 'not a time' });
const STILL_BROKEN_BODY = JSON.stringify({ ...variantCallback(3), workflow: '3' });
const VALID_NOW_BODY = JSON.stringify(variantCallback(4));

let pipeline: TestPipeline;
let clock = RECEIVED_AT;
let groupId: string;
let workDir: string;
const env = () => ({
  DATABASE_URL: pipeline.db.url,
  KAFKA_BROKERS: inject('kafkaBrokers').join(','),
  KAFKA_CLIENT_ID: CLIENT_ID,
  TOPIC_CALL_RECORDS: pipeline.topics.callRecords,
  TOPIC_REJECTED: pipeline.topics.rejected,
  TOPIC_DLQ: pipeline.topics.dlq,
});
const run = (...args: string[]) => cli(env(), args);

/** What the ingress told each sender: the quarantine record's event id, by name. */
const events: Record<'broken' | 'other' | 'stillBroken', { eventId: string; issues: unknown }> = {} as never;

async function refuse(tenant: { tenantId: string; ingestToken: string }, body: string, at: Date) {
  clock = at;
  const response = await postCallback(pipeline, tenant, body);
  expect(response.statusCode).toBe(422);
  const { error } = response.json() as { error: { eventId: string; issues: unknown } };
  return { eventId: error.eventId, issues: error.issues };
}

/** Every row of every table the consumer writes, in a fixed order. */
async function allRows() {
  const tables = ['calls', 'call_instances', 'dialogue_lines', 'call_labels', 'call_variables', 'call_recordings'];
  const snapshot: Record<string, unknown[]> = {};
  for (const table of tables) {
    const { rows } = await pipeline.db.pool.query(`select * from ${table}`);
    snapshot[table] = rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return snapshot;
}

async function lookup(callId: string) {
  const response = await pipeline.query.inject({
    method: 'GET',
    url: `/v1/calls/${callId}`,
    headers: { 'x-commubo-tenantId': TENANT_ID, 'x-commubo-accessToken': tenants.tenant.accessToken },
  });
  return { status: response.statusCode, body: response.json() as unknown };
}

const tenants = {} as Record<'tenant' | 'other', { tenantId: string; ingestToken: string; accessToken: string }>;

beforeAll(async () => {
  pipeline = await startTestPipeline({ now: () => clock });
  workDir = await mkdtemp(join(tmpdir(), 'cli-quarantine-'));
  tenants.tenant = await pipeline.createTenant({ tenantId: TENANT_ID });
  tenants.other = await pipeline.createTenant({ tenantId: OTHER_ID });
  groupId = uniqueName('cli-quarantine-consumer');
  await pipeline.startConsumer(groupId);

  events.broken = await refuse(tenants.tenant, BROKEN_BODY, RECEIVED_AT);
  events.other = await refuse(tenants.other, OTHER_BODY, minutesLater(1));
  events.stillBroken = await refuse(tenants.tenant, STILL_BROKEN_BODY, minutesLater(2));
  // A callback an older, stricter schema refused: valid today. Written as the ingress writes the quarantine.
  const older = {
    schemaVersion: 1 as const,
    eventId: OLDER_EVENT_ID,
    tenantId: TENANT_ID,
    receivedAt: minutesLater(3).toISOString(),
    contentType: 'application/json',
    body: VALID_NOW_BODY,
    issues: [{ path: 'remark', message: 'was not allowed by an older schema' }],
  };
  const producer = pipeline.kafka.producer();
  await producer.connect();
  await producer.send({
    topic: pipeline.topics.rejected,
    acks: -1,
    messages: [{ key: TENANT_ID, value: JSON.stringify(older), headers: recordHeaders(older) }],
  });
  await producer.disconnect();
});
afterAll(async () => {
  await pipeline?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const listed = (eventId: string, tenantId: string, receivedAt: Date, issues: unknown) => ({
  eventId,
  tenantId,
  receivedAt: receivedAt.toISOString(),
  issues,
});

describe('quarantine list', () => {
  it('prints each payload refused with 422, the oldest first: eventId, tenantId, receivedAt, issues', async () => {
    expect(events.broken.issues).toEqual(END_BEFORE_START);
    const result = await run('quarantine', 'list');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(printed(result)).toEqual([
      listed(events.broken.eventId, TENANT_ID, RECEIVED_AT, END_BEFORE_START),
      listed(events.other.eventId, OTHER_ID, minutesLater(1), events.other.issues),
      listed(events.stillBroken.eventId, TENANT_ID, minutesLater(2), events.stillBroken.issues),
      listed(OLDER_EVENT_ID, TENANT_ID, minutesLater(3), [{ path: 'remark', message: 'was not allowed by an older schema' }]),
    ]);
    expect(events.other.issues).toEqual([{ path: 'callStartTime', message: 'must be a real calendar time as yyyy-MM-dd HH:mm:ss' }]);
    expect(events.stillBroken.issues).toEqual([{ path: 'workflow', message: 'must be a non-negative integer' }]);
  });

  it.each([
    [['--tenant', OTHER_ID], ['other']],
    [['--tenant', OTHER_ID.toUpperCase()], ['other']],
    [
      ['--since', minutesLater(2).toISOString()],
      ['stillBroken', 'older'],
    ],
    [
      ['--since', '2026-01-02T12:06:00+09:00'],
      ['stillBroken', 'older'],
    ],
    [['--since', '2026-01-03'], []],
    [
      ['--limit', '2'],
      ['broken', 'other'],
    ],
    [['--tenant', TENANT_ID, '--since', '2026-01-02T03:05:00Z', '--limit', '1'], ['stillBroken']],
  ])('%j narrows the list to %j', async (args, names) => {
    const ids = {
      broken: events.broken.eventId,
      other: events.other.eventId,
      stillBroken: events.stillBroken.eventId,
      older: OLDER_EVENT_ID,
    };
    const result = await run('quarantine', 'list', ...args);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result).map((line) => (line as { eventId: string }).eventId)).toEqual(
      names.map((name) => ids[name as keyof typeof ids]),
    );
  });

  it('reads under a consumer group of its own and leaves none behind', async () => {
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      expect(groups.filter((group) => group.groupId.startsWith(`${CLIENT_ID}-cli-read`))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('quarantine export, fix, replay --from-file', () => {
  let exportedLines: string[];
  let file: string;
  const fixedBody = () => JSON.stringify({ ...JSON.parse(BROKEN_BODY), callEndTime: '2021-05-29 10:23:57' });
  const stillBrokenRefusal = () => ({
    eventId: events.stillBroken.eventId,
    tenantId: TENANT_ID,
    receivedAt: minutesLater(2).toISOString(),
    code: 'SCHEMA_VIOLATION',
    message: 'the callback does not match the schema',
    issues: [{ path: 'workflow', message: 'must be a non-negative integer' }],
  });

  it('export prints each quarantined record as it is on the topic, the body exactly as posted', async () => {
    const result = await run('quarantine', 'export', '--tenant', TENANT_ID, '--limit', '2');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    exportedLines = result.stdout.split('\n').filter(Boolean);
    expect(exportedLines.map((line) => JSON.parse(line))).toEqual([
      {
        schemaVersion: 1,
        eventId: events.broken.eventId,
        tenantId: TENANT_ID,
        receivedAt: RECEIVED_AT.toISOString(),
        contentType: 'application/json',
        body: BROKEN_BODY,
        issues: END_BEFORE_START,
      },
      {
        schemaVersion: 1,
        eventId: events.stillBroken.eventId,
        tenantId: TENANT_ID,
        receivedAt: minutesLater(2).toISOString(),
        contentType: 'application/json',
        body: STILL_BROKEN_BODY,
        issues: [{ path: 'workflow', message: 'must be a non-negative integer' }],
      },
    ]);
    // Byte for byte the values the ingress wrote.
    const values = (await readAllMessages(pipeline.kafka, pipeline.topics.rejected)).map((message) => message.value!.toString());
    for (const line of exportedLines) expect(values).toContain(line);
  });

  it('replay --dry-run reports what would be replayed and what is still refused, and publishes nothing', async () => {
    const fixed = { ...JSON.parse(exportedLines[0]!), body: fixedBody() };
    file = join(workDir, 'fixed.jsonl');
    await writeFile(file, `${JSON.stringify(fixed)}\n${exportedLines[1]}\n`);
    const before = await allRows();

    const result = await run('quarantine', 'replay', '--from-file', file, '--dry-run');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([{ dryRun: true, replayed: 1, refused: 1, refusals: [stillBrokenRefusal()] }]);
    expect(await recordCount(pipeline.kafka, pipeline.topics.callRecords)).toBe(0);
    expect(await allRows()).toEqual(before);
  });

  it('replay --from-file publishes the fixed one as the ingress would have; it is stored with its original receivedAt', async () => {
    const result = await run('quarantine', 'replay', '--from-file', file);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([{ dryRun: false, replayed: 1, refused: 1, refusals: [stillBrokenRefusal()] }]);

    // The record the ingress would have published at RECEIVED_AT, with the quarantine record's event id.
    const expected = recordOf(envelopeOf(TENANT_ID, JSON.parse(fixedBody()), events.broken.eventId, RECEIVED_AT));
    const published = await readAllMessages(pipeline.kafka, pipeline.topics.callRecords);
    expect(
      published.map((message) => ({ key: message.key?.toString(), value: message.value?.toString(), headers: headersOf(message) })),
    ).toEqual([expected]);

    await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);
    const { rows } = await pipeline.db.pool.query('select tenant_id, call_id, event_id, received_at, source_offset, raw from calls');
    expect(rows).toEqual([
      {
        tenant_id: TENANT_ID,
        call_id: CALL_ID,
        event_id: events.broken.eventId,
        received_at: RECEIVED_AT,
        source_offset: 0,
        raw: { ...seed, customerNumber: '18770915633' },
      },
    ]);
    // The customer's createdDateTime is the receivedAt: 2026-01-02T03:04:05Z, not the time of the replay.
    expect(await lookup(CALL_ID)).toEqual({ status: 200, body: expectedLookup });
  });

  it('replaying the same file again stores the call once: every row as before, only its delivery offset moves to the copy', async () => {
    const before = await allRows();
    const result = await run('quarantine', 'replay', '--from-file', file);
    expect(printed(result)).toEqual([{ dryRun: false, replayed: 1, refused: 1, refusals: [stillBrokenRefusal()] }]);
    await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);

    const copies = await readEverything(pipeline.kafka, pipeline.topics.callRecords);
    expect(copies.map(({ message }) => message.value?.toString())).toEqual([
      copies[0]!.message.value?.toString(),
      copies[0]!.message.value?.toString(),
    ]);
    // The same receivedAt, so the later offset wins the tie (write-calls.ts) and rewrites the same values.
    expect(await allRows()).toEqual({ ...before, calls: before.calls!.map((row) => ({ ...(row as object), source_offset: 1 })) });
    expect(await lookup(CALL_ID)).toEqual({ status: 200, body: expectedLookup });
  });
});

describe('quarantine replay from the topic', () => {
  it('publishes what passes today, and reports what does not', async () => {
    const dryRun = await run('quarantine', 'replay', '--tenant', TENANT_ID, '--since', minutesLater(2).toISOString(), '--dry-run');
    const refusal = {
      eventId: events.stillBroken.eventId,
      tenantId: TENANT_ID,
      receivedAt: minutesLater(2).toISOString(),
      code: 'SCHEMA_VIOLATION',
      message: 'the callback does not match the schema',
      issues: [{ path: 'workflow', message: 'must be a non-negative integer' }],
    };
    expect(printed(dryRun)).toEqual([{ dryRun: true, replayed: 1, refused: 1, refusals: [refusal] }]);
    const published = await recordCount(pipeline.kafka, pipeline.topics.callRecords);

    const result = await run('quarantine', 'replay', '--tenant', TENANT_ID, '--since', minutesLater(2).toISOString());
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([{ dryRun: false, replayed: 1, refused: 1, refusals: [refusal] }]);
    expect(await recordCount(pipeline.kafka, pipeline.topics.callRecords)).toBe(published + 1);

    await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);
    const { rows } = await pipeline.db.pool.query('select tenant_id, call_id, event_id, received_at from calls order by call_id');
    expect(rows).toEqual([
      { tenant_id: TENANT_ID, call_id: variantCallback(4).callId, event_id: OLDER_EVENT_ID, received_at: minutesLater(3) },
      { tenant_id: TENANT_ID, call_id: CALL_ID, event_id: events.broken.eventId, received_at: RECEIVED_AT },
    ]);
  });

  it("refuses a disabled tenant's callbacks as the ingress would, and every quarantined one that is still invalid", async () => {
    expect((await run('tenants', 'disable', OTHER_ID)).code).toBe(0);
    try {
      const result = await run('quarantine', 'replay', '--tenant', OTHER_ID);
      expect(printed(result)).toEqual([
        {
          dryRun: false,
          replayed: 0,
          refused: 1,
          refusals: [
            {
              eventId: events.other.eventId,
              tenantId: OTHER_ID,
              receivedAt: minutesLater(1).toISOString(),
              code: 'TENANT_DISABLED',
              message: `tenant ${OTHER_ID} is disabled: its callbacks are refused`,
            },
          ],
        },
      ]);
    } finally {
      expect((await run('tenants', 'enable', OTHER_ID)).code).toBe(0);
    }
    const result = await run('quarantine', 'replay', '--dry-run');
    expect(printed(result)).toEqual([
      {
        dryRun: true,
        replayed: 1,
        refused: 3,
        refusals: [
          {
            eventId: events.broken.eventId,
            tenantId: TENANT_ID,
            receivedAt: RECEIVED_AT.toISOString(),
            code: 'SCHEMA_VIOLATION',
            message: 'the callback does not match the schema',
            issues: END_BEFORE_START,
          },
          {
            eventId: events.other.eventId,
            tenantId: OTHER_ID,
            receivedAt: minutesLater(1).toISOString(),
            code: 'SCHEMA_VIOLATION',
            message: 'the callback does not match the schema',
            issues: [{ path: 'callStartTime', message: 'must be a real calendar time as yyyy-MM-dd HH:mm:ss' }],
          },
          {
            eventId: events.stillBroken.eventId,
            tenantId: TENANT_ID,
            receivedAt: minutesLater(2).toISOString(),
            code: 'SCHEMA_VIOLATION',
            message: 'the callback does not match the schema',
            issues: [{ path: 'workflow', message: 'must be a non-negative integer' }],
          },
        ],
      },
    ]);
  });
});

describe('bad input changes nothing', () => {
  const LIST_USAGE = 'usage: npm run cli -- quarantine list [--tenant ID] [--since ISO] [--limit N]';
  const REPLAY_USAGE = 'usage: npm run cli -- quarantine replay [--tenant ID] [--since ISO] [--limit N] [--from-file FILE] [--dry-run]';
  const state = async () => ({ rows: await allRows(), published: await recordCount(pipeline.kafka, pipeline.topics.callRecords) });

  it.each([
    [['list', '--tenant', 'acme'], '--tenant acme is not a UUID'],
    [['list', '--tenant', `${UNKNOWN_ID}x`], `--tenant ${UNKNOWN_ID}x is not a UUID`],
    [['export', '--tenant', UNKNOWN_ID], `tenant ${UNKNOWN_ID} does not exist`],
    [['replay', '--tenant', UNKNOWN_ID.toUpperCase()], `tenant ${UNKNOWN_ID} does not exist`],
    [['replay', '--from-file', '/nonexistent/quarantine.jsonl'], 'cannot read --from-file /nonexistent/quarantine.jsonl: ENOENT'],
  ])('quarantine %j fails with exit code 1 and one line: %s', async (args, line) => {
    const before = await state();
    expect(await run('quarantine', ...args)).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
    expect(await state()).toEqual(before);
  });

  it.each([
    [
      ['list', '--since', 'yesterday'],
      '--since yesterday is not a time: give a time with its zone (2026-01-02T03:04:05Z, 2026-01-02T12:04:05+09:00) or a date (00:00 UTC)',
      LIST_USAGE,
    ],
    [
      ['list', '--since', '2026-02-30T00:00:00Z'],
      '--since 2026-02-30T00:00:00Z is not a time: give a time with its zone (2026-01-02T03:04:05Z, 2026-01-02T12:04:05+09:00) or a date (00:00 UTC)',
      LIST_USAGE,
    ],
    [
      ['list', '--since', '2026-01-02T03:04:05'],
      '--since 2026-01-02T03:04:05 has no time zone: end it with Z or an offset such as +09:00',
      LIST_USAGE,
    ],
    [['list', '--limit', '0'], '--limit 0 is not a whole number from 1 to 1000000', LIST_USAGE],
    [['list', '--from-file', 'x'], 'unknown option --from-file', LIST_USAGE],
    [
      ['replay', '--since', 'soon', '--dry-run'],
      '--since soon is not a time: give a time with its zone (2026-01-02T03:04:05Z, 2026-01-02T12:04:05+09:00) or a date (00:00 UTC)',
      REPLAY_USAGE,
    ],
    [['replay', '--dry-run=yes'], '--dry-run takes no value', REPLAY_USAGE],
  ])('quarantine %j is a usage error: exit code 2, %s, then the usage', async (args, line, usage) => {
    const before = await state();
    expect(await run('quarantine', ...args)).toEqual({ code: 2, stdout: '', stderr: `${line}\n${usage}\n` });
    expect(await state()).toEqual(before);
  });

  it('a file with a line that is not JSON, or not a quarantined record, is refused whole: nothing is published', async () => {
    const good = (await run('quarantine', 'export', '--limit', '1')).stdout.trim();
    const notJson = join(workDir, 'not-json.jsonl');
    await writeFile(notJson, `${good}\n\n{"eventId": \n`);
    const notRecord = join(workDir, 'not-record.jsonl');
    await writeFile(notRecord, `${good}\n${JSON.stringify({ ...JSON.parse(good), eventId: 'e-1' })}\n`);
    const before = await state();

    expect(await run('quarantine', 'replay', '--from-file', notJson)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${notJson} line 3 is not JSON: ${jsonError('{"eventId": ')}; nothing was replayed\n`,
    });
    expect(await run('quarantine', 'replay', '--from-file', notRecord)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${notRecord} line 2 is not a quarantined callback (eventId: Invalid UUID); nothing was replayed\n`,
    });
    expect(await state()).toEqual(before);
  });

  it('a missing topic names its variable; an unreachable Kafka names KAFKA_BROKERS', async () => {
    expect(await cli({ ...env(), TOPIC_REJECTED: 'no-such-topic.rejected' }, ['quarantine', 'list'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'topic no-such-topic.rejected (TOPIC_REJECTED) does not exist: npm run setup creates it\n',
    });
    const port = await freePort();
    expect(await cli({ ...env(), KAFKA_BROKERS: `127.0.0.1:${port}` }, ['quarantine', 'list'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `cannot reach Kafka at 127.0.0.1:${port} (KAFKA_BROKERS): connect ECONNREFUSED\n`,
    });
  });
});

describe('a quarantine topic holding records that are not quarantined callbacks', () => {
  it('list and export skip each with one line on stderr; replay reports each as refused', async () => {
    const topics = await createTestTopics(pipeline.kafka, 1);
    const valid = {
      schemaVersion: 1 as const,
      eventId: OLDER_EVENT_ID,
      tenantId: TENANT_ID,
      receivedAt: RECEIVED_AT.toISOString(),
      contentType: 'application/json',
      body: VALID_NOW_BODY,
      issues: [{ path: 'remark', message: 'was not allowed by an older schema' }],
    };
    const producer = pipeline.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topics.rejected,
      acks: -1,
      messages: [
        { key: TENANT_ID, value: null },
        { key: TENANT_ID, value: 'not json' },
        { key: TENANT_ID, value: JSON.stringify({ ...valid, schemaVersion: 2 }) },
        { key: TENANT_ID, value: JSON.stringify(valid), headers: recordHeaders(valid) },
      ],
    });
    await producer.disconnect();
    const junk = { ...env(), TOPIC_REJECTED: topics.rejected };
    const skipped = [
      `skipped ${topics.rejected} partition 0 offset 0: the record has no value`,
      `skipped ${topics.rejected} partition 0 offset 1: the value is not JSON: ${jsonError('not json')}`,
      `skipped ${topics.rejected} partition 0 offset 2: not a quarantined callback (schemaVersion: Invalid input: expected 1)`,
    ];

    expect(await cli(junk, ['quarantine', 'list'])).toEqual({
      code: 0,
      stdout: `${JSON.stringify(listed(OLDER_EVENT_ID, TENANT_ID, RECEIVED_AT, valid.issues))}\n`,
      stderr: skipped.map((line) => `${line}\n`).join(''),
    });
    expect(await cli(junk, ['quarantine', 'export'])).toEqual({
      code: 0,
      stdout: `${JSON.stringify(valid)}\n`,
      stderr: skipped.map((line) => `${line}\n`).join(''),
    });
    const replay = await cli(junk, ['quarantine', 'replay', '--dry-run']);
    expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(replay)).toEqual([
      {
        dryRun: true,
        replayed: 1,
        refused: 3,
        refusals: skipped.map((line, offset) => ({
          partition: 0,
          offset: String(offset),
          code: 'NOT_A_QUARANTINED_CALLBACK',
          message: line.slice(line.indexOf(': ') + 2),
        })),
      },
    ]);
  });
});

describe('npm run cli -- quarantine, as an operator runs it', () => {
  it('prints the same lines as in-process, exits 0 and leaves no client running', async () => {
    const result = await runScript([...nodeScript('scripts/cli.ts'), 'quarantine', 'list', '--tenant', OTHER_ID], env());
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual(printed(await run('quarantine', 'list', '--tenant', OTHER_ID)));
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} is JSON`);
}
