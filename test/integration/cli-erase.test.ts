import { createHmac } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flattenCall } from '../../services/consumer/steps/flatten-call.ts';
import { writeCalls } from '../../services/consumer/steps/write-calls.ts';
import { eraseCalls } from '../../shared/calls/erasure.ts';
import { lockTenantForErasure } from '../../shared/calls/tenant-write-lock.ts';
import type { Envelope } from '../../shared/callback/envelope.ts';
import { envelopeOf, publishEnvelopes, variantCallback, type RawCallback } from '../../kit/callbacks.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { CALL_TABLES } from '../../kit/test-database.ts';
import { uniqueName } from '../../kit/topics.ts';
import { cli, printed } from '../support/cli.ts';
import { eventually, postCallback, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * npm run cli -- erase calls, on the real broker and database with the real consumer and ingress: every
 * call of a phone number (in any of its four fields) of one tenant is deleted with all its rows, and
 * neither the same deliveries published again nor a full replay of the topic brings one back, while a
 * callback received after the erasure is stored. The audit row holds no number; bad input changes nothing.
 */
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const OTHER_ID = '2b9c1d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
const UNKNOWN_ID = '0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f';
const NUMBER = '+81312345678';
const HASH_KEY = 'test-erasure-key-0123456789abcdef';
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');
const minutesLater = (minutes: number) => new Date(RECEIVED_AT.getTime() + minutes * 60_000);

/** Call `index` with numbers of its own in every field, `change` putting NUMBER in one of them. */
function callWith(index: number, change: Partial<RawCallback> = {}, version = 0): RawCallback {
  const base = variantCallback(index, version);
  return {
    ...base,
    fromNumber: `0300000${index}01`,
    toNumber: `0300000${index}02`,
    customerNumber: `0300000${index}03`,
    contactDetailRel: { ...(base.contactDetailRel as object), mobile: `0300000${index}04` },
    ...change,
  };
}

const CALLS = {
  from: callWith(1, { workflow: 1, fromNumber: NUMBER }),
  to: callWith(2, { toNumber: NUMBER, customerNumber: '' }),
  customer: callWith(3, { customerNumber: NUMBER }),
  mobile: callWith(4, { contactDetailRel: { name: 'x', mobile: NUMBER } }),
  unrelated: callWith(5),
  byCallId: callWith(6),
};
const OTHER_TENANTS_CALL = callWith(7, { fromNumber: NUMBER });
const ERASED_BY_NUMBER = [CALLS.from, CALLS.to, CALLS.customer, CALLS.mobile].map((call) => call.callId).sort();

let pipeline: TestPipeline;
let producer: Producer;
let clock = RECEIVED_AT;
let groupId: string;
let ingestToken: string;
/** Every delivery published before the erasures, in order: each call once, and `from` once more, newer. */
let deliveries: Envelope[];

const env = (extra: Record<string, string> = {}) => ({
  DATABASE_URL: pipeline.db.url,
  KAFKA_BROKERS: inject('kafkaBrokers').join(','),
  ERASURE_HASH_KEY: HASH_KEY,
  ...extra,
});
const run = (...args: string[]) => cli(env(), args);

/** Every row of the call tables and of the erasure's own tables, each table in a fixed order. */
async function allRows() {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of [...CALL_TABLES, 'call_tombstones', 'erasures']) {
    const { rows } = await pipeline.db.pool.query(`select * from ${table}`);
    snapshot[table] = rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return snapshot;
}

/** The calls stored, as tenant:callId, sorted. */
async function storedCalls(): Promise<string[]> {
  const { rows } = await pipeline.db.pool.query(`select tenant_id || ':' || call_id as call from calls order by 1`);
  return rows.map((row) => row.call as string);
}

/** Rows per call table of these calls of the tenant. */
async function rowCountsOf(tenantId: string, callIds: string[]) {
  const counts: Record<string, number> = {};
  for (const table of CALL_TABLES) {
    const { rows } = await pipeline.db.pool.query(
      `select count(*)::int as n from ${table} where tenant_id = $1 and call_id = any($2::text[])`,
      [tenantId, callIds],
    );
    counts[table] = rows[0].n;
  }
  return counts;
}

const key = (tenantId: string, call: RawCallback) => `${tenantId}:${call.callId}`;
const hmac = (message: string) => createHmac('sha256', HASH_KEY).update(message).digest('hex');

async function republishAndDrain(envelopes: Envelope[], group = groupId) {
  await publishEnvelopes(producer, pipeline.topics.callRecords, envelopes);
  await waitUntilConsumed(pipeline.kafka, group, pipeline.topics.callRecords);
}

beforeAll(async () => {
  pipeline = await startTestPipeline({ now: () => clock });
  ingestToken = (await pipeline.createTenant({ tenantId: TENANT_ID })).ingestToken;
  await pipeline.createTenant({ tenantId: OTHER_ID });
  producer = pipeline.kafka.producer();
  await producer.connect();
  groupId = uniqueName('cli-erase-consumer');
  await pipeline.startConsumer(groupId);
  deliveries = [
    ...Object.values(CALLS).map((call, index) => envelopeOf(TENANT_ID, call, `10000000-0000-4000-8000-00000000000${index}`, RECEIVED_AT)),
    envelopeOf(OTHER_ID, OTHER_TENANTS_CALL, '10000000-0000-4000-8000-000000000010', RECEIVED_AT),
    envelopeOf(TENANT_ID, callWith(1, { workflow: 1, fromNumber: NUMBER }, 1), '10000000-0000-4000-8000-000000000011', minutesLater(1)),
  ];
  await republishAndDrain(deliveries);
});
afterAll(async () => {
  await producer?.disconnect();
  await pipeline?.close();
});

describe('erase calls: bad input', () => {
  it.each([
    [['--tenant', UNKNOWN_ID, '--phone-number', NUMBER], 1, `tenant ${UNKNOWN_ID} does not exist\n`],
    [['--tenant', 'acme', '--phone-number', NUMBER], 1, '--tenant acme is not a UUID\n'],
    [['--tenant', TENANT_ID], 2, 'give exactly one of --call-id and --phone-number\n'],
    [
      ['--tenant', TENANT_ID, '--phone-number', NUMBER, '--call-id', CALLS.from.callId],
      2,
      'give exactly one of --call-id and --phone-number\n',
    ],
    [['--phone-number', NUMBER], 2, '--tenant is required\n'],
    [['--tenant', TENANT_ID, '--phone-number', ''], 2, '--phone-number must not be empty\n'],
    [
      ['--tenant', TENANT_ID, '--call-id', 'x'.repeat(129)],
      2,
      '--call-id is longer than 128 characters: no stored call has such a value\n',
    ],
  ])('%j: one line, exit %i, nothing changed', async (args, code, line) => {
    const before = await allRows();
    const result = await run('erase', 'calls', ...args);
    const usage = 'usage: npm run cli -- erase calls --tenant ID (--call-id ID | --phone-number NUMBER) [--dry-run]\n';
    expect(result).toEqual({ code, stdout: '', stderr: code === 2 ? line + usage : line });
    expect(await allRows()).toEqual(before);
  });

  it('explains itself on every level', async () => {
    const group = await run('erase', '--help');
    expect({ code: group.code, stderr: group.stderr }).toEqual({ code: 0, stderr: '' });
    expect(group.stdout).toMatch(/^usage: npm run cli -- erase <command> \[options\]\n/);
    expect(group.stdout).toMatch(/\n {2}calls {3}delete one call, or every call of a phone number/);
    const command = await run('erase', 'calls', '--help');
    expect({ code: command.code, stderr: command.stderr }).toEqual({ code: 0, stderr: '' });
    expect(command.stdout).toMatch(/--dry-run +count what would be deleted; change nothing/);
  });
});

describe('erase calls --phone-number', () => {
  let before: Record<string, unknown[]>;
  let expectedDeleted: Record<string, number>;
  let erasedAt: string;

  it('stored every delivery first: the seven calls, `from` in its newer version', async () => {
    expect(await storedCalls()).toEqual(
      [...Object.values(CALLS).map((call) => key(TENANT_ID, call)), key(OTHER_ID, OTHER_TENANTS_CALL)].sort(),
    );
    const { rows } = await pipeline.db.pool.query('select remark from calls where call_id = $1', [CALLS.from.callId]);
    expect(rows).toEqual([{ remark: 'version 1' }]);
    before = await allRows();
    expectedDeleted = await rowCountsOf(TENANT_ID, ERASED_BY_NUMBER);
    // Every table has rows to erase, so that each count is seen to be right.
    expect(Object.values(expectedDeleted).every((rows) => rows > 0)).toBe(true);
  });

  it('--dry-run counts what would be deleted and changes nothing', async () => {
    const result = await run('erase', 'calls', '--tenant', TENANT_ID, '--phone-number', NUMBER, '--dry-run');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([{ dryRun: true, tenantId: TENANT_ID, selector: 'phone-number', deleted: expectedDeleted }]);
    expect(await allRows()).toEqual(before);
  });

  it('erase --tenant … (the group name followed by its options at once) is erase calls', async () => {
    const result = await run('erase', '--tenant', TENANT_ID, '--phone-number', NUMBER, '--dry-run');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([{ dryRun: true, tenantId: TENANT_ID, selector: 'phone-number', deleted: expectedDeleted }]);
    expect(await allRows()).toEqual(before);
  });

  it("deletes every call of the number in any of its four fields, with all their rows, and no other tenant's", async () => {
    const result = await run('erase', 'calls', '--tenant', TENANT_ID.toUpperCase(), '--phone-number', NUMBER);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const [outcome] = printed(result) as [{ erasureId: string; erasedAt: string }];
    erasedAt = outcome.erasedAt;
    expect(outcome).toEqual({
      dryRun: false,
      erasureId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenantId: TENANT_ID,
      erasedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      selector: 'phone-number',
      selectorHash: hmac(`phone-number:${NUMBER}`),
      deleted: expectedDeleted,
    });

    const after = await allRows();
    const erased = (row: unknown) => {
      const { tenant_id, call_id } = row as { tenant_id: string; call_id: string };
      return tenant_id === TENANT_ID && ERASED_BY_NUMBER.includes(call_id);
    };
    for (const table of CALL_TABLES) expect(after[table]).toEqual(before[table]!.filter((row) => !erased(row)));
    expect(await storedCalls()).toEqual(
      [key(TENANT_ID, CALLS.unrelated), key(TENANT_ID, CALLS.byCallId), key(OTHER_ID, OTHER_TENANTS_CALL)].sort(),
    );

    const { rows: tombstones } = await pipeline.db.pool.query(`select tenant_id, call_id, erased_at from call_tombstones order by call_id`);
    const at = (tombstones[0] as { erased_at: Date }).erased_at;
    expect(at.toISOString()).toBe(erasedAt);
    expect(tombstones).toEqual(ERASED_BY_NUMBER.map((callId) => ({ tenant_id: TENANT_ID, call_id: callId, erased_at: at })));
  });

  it('leaves one audit row: tenant, time, selector kind, keyed hash, counts; the number nowhere in clear', async () => {
    const { rows } = await pipeline.db.pool.query('select * from erasures');
    expect(rows).toEqual([
      {
        erasure_id: expect.any(String),
        tenant_id: TENANT_ID,
        erased_at: expect.any(Date),
        selector_kind: 'phone-number',
        selector_hash: Buffer.from(hmac(`phone-number:${NUMBER}`), 'hex'),
        ...expectedDeleted,
      },
    ]);
    expect(rows[0].erased_at.toISOString()).toBe(erasedAt);
    const { rows: text } = await pipeline.db.pool.query(
      `select e::text as row from erasures e union all select t::text from call_tombstones t`,
    );
    for (const { row } of text) expect(row).not.toContain(NUMBER.slice(1));
  });

  it('the same deliveries published again (received before the erasure) bring none of the calls back', async () => {
    const erasedState = await storedCalls();
    await republishAndDrain(deliveries);
    expect(await storedCalls()).toEqual(erasedState);
    expect(await rowCountsOf(TENANT_ID, ERASED_BY_NUMBER)).toEqual(Object.fromEntries(CALL_TABLES.map((table) => [table, 0])));
  });

  it('a full replay of the topic into the same database (a new group from the beginning) brings none back', async () => {
    const erasedState = await storedCalls();
    const replayGroup = uniqueName('cli-erase-replay');
    await pipeline.startConsumer(replayGroup);
    await waitUntilConsumed(pipeline.kafka, replayGroup, pipeline.topics.callRecords);
    expect(await storedCalls()).toEqual(erasedState);
    expect(await rowCountsOf(TENANT_ID, ERASED_BY_NUMBER)).toEqual(Object.fromEntries(CALL_TABLES.map((table) => [table, 0])));
  });

  it('a callback received at the erasure time is skipped; one received after it is stored as usual', async () => {
    clock = new Date(erasedAt); // at most the erasure's time: its microseconds are cut off
    const atErasure = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken }, callWith(2, { toNumber: NUMBER }, 2));
    expect(atErasure.statusCode).toBe(200);
    clock = new Date(Date.parse(erasedAt) + 1);
    const later = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken }, callWith(1, { workflow: 1, fromNumber: NUMBER }, 2));
    expect(later.statusCode).toBe(200);
    await waitUntilConsumed(pipeline.kafka, groupId, pipeline.topics.callRecords);
    expect(await storedCalls()).toEqual(
      [
        key(TENANT_ID, CALLS.from),
        key(TENANT_ID, CALLS.unrelated),
        key(TENANT_ID, CALLS.byCallId),
        key(OTHER_ID, OTHER_TENANTS_CALL),
      ].sort(),
    );
    const { rows } = await pipeline.db.pool.query('select remark, received_at from calls where tenant_id = $1 and call_id = $2', [
      TENANT_ID,
      CALLS.from.callId,
    ]);
    expect(rows).toEqual([{ remark: 'version 2', received_at: clock }]);
  });
});

describe('erase calls --call-id', () => {
  it('deletes the one call and keeps it erased against a redelivery', async () => {
    const expected = await rowCountsOf(TENANT_ID, [CALLS.byCallId.callId]);
    const result = await run('erase', 'calls', '--tenant', TENANT_ID, '--call-id', CALLS.byCallId.callId);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(result)).toEqual([
      expect.objectContaining({ selector: 'call-id', selectorHash: hmac(`call-id:${CALLS.byCallId.callId}`), deleted: expected }),
    ]);
    await republishAndDrain(deliveries.filter((delivery) => delivery.callback.callId === CALLS.byCallId.callId));
    expect(await storedCalls()).toEqual(
      [key(TENANT_ID, CALLS.from), key(TENANT_ID, CALLS.unrelated), key(OTHER_ID, OTHER_TENANTS_CALL)].sort(),
    );
  });

  it('tombstones a call not stored yet: its delivery received before the erasure is never stored', async () => {
    const pending = callWith(8);
    const result = await run('erase', 'calls', '--tenant', TENANT_ID, '--call-id', pending.callId);
    expect(printed(result)).toEqual([expect.objectContaining({ deleted: Object.fromEntries(CALL_TABLES.map((table) => [table, 0])) })]);
    await republishAndDrain([envelopeOf(TENANT_ID, pending, '10000000-0000-4000-8000-000000000020', minutesLater(2))]);
    expect(await storedCalls()).not.toContain(key(TENANT_ID, pending));
  });

  it('warns once on stderr when ERASURE_HASH_KEY is not set (the development key)', async () => {
    const { ERASURE_HASH_KEY: _unset, ...withoutKey } = env();
    const result = await cli(withoutKey, ['erase', 'calls', '--tenant', TENANT_ID, '--call-id', 'never-stored']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('ERASURE_HASH_KEY is not set: the audit row is hashed under the development key (see README, "Erasure")\n');
  });
});

describe('an erasure and a batch of the consumer in flight', () => {
  it('a batch that begins while an erasure runs waits for it, then skips the erased call', async () => {
    const call = callWith(9);
    await republishAndDrain([envelopeOf(TENANT_ID, call, '10000000-0000-4000-8000-000000000030', minutesLater(3))]);
    expect(await storedCalls()).toContain(key(TENANT_ID, call));
    const redelivery = flattenCall(envelopeOf(TENANT_ID, call, '10000000-0000-4000-8000-000000000031', minutesLater(4)), 'Asia/Tokyo', {
      partition: 0,
      offset: '999',
    });

    const erasing = await pipeline.db.pool.connect();
    const writing = await pipeline.db.pool.connect();
    try {
      await erasing.query('begin');
      await lockTenantForErasure(erasing, TENANT_ID);
      await eraseCalls(erasing, TENANT_ID, [call.callId], 'call-id', Buffer.alloc(32));
      const { rows: backend } = await writing.query('select pg_backend_pid() as pid');
      await writing.query('begin');
      const written = writeCalls(writing, [redelivery]);
      // The batch waits for the erasure, which has not committed yet.
      await eventually(async () => {
        const { rows } = await pipeline.db.pool.query(`select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'`, [
          backend[0].pid,
        ]);
        return rows.length > 0 ? true : undefined;
      });
      await erasing.query('commit');
      expect(await written).toEqual({ written: 0, rows: {} });
      await writing.query('commit');
    } finally {
      erasing.release();
      writing.release();
    }
    expect(await storedCalls()).not.toContain(key(TENANT_ID, call));
  });
});
