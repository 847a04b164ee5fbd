import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { CALL_TABLES, createMigratedDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { envelopeOf, seedCallback, variantCallback, type RawCallback } from '../../kit/callbacks.ts';
import { flattenCall, type CallRows } from '../../services/consumer/steps/flatten-call.ts';
import { createCallsRepository } from '../../services/query/calls-repository.ts';
import { mapCallHistory } from '../../services/query/map-call-history.ts';
import { migrate } from '../../shared/db/migrate.ts';
import { callbackArb } from '../support/chaos-callback-arbitrary.ts';
import { tableChecksums } from '../support/consumer-state.ts';
import expectedSeedHistory from '../fixtures/seed-000-call-history.json';

/**
 * Migration 0007's back-fill on calls stored by the schema before it (0006): the read-model columns it
 * computes in SQL from the stored sessions and lines are exactly what the consumer computes from the
 * callback, each contact's first and last stored times are the least and greatest receivedAt of its calls,
 * the lookup answers the seed as before, and migrating again changes nothing.
 */
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const TOKYO = 'Asia/Tokyo';
const READ_MODEL_COLUMNS = [
  'customer_id',
  'has_instance',
  'first_robot_id',
  'first_robot_name',
  'first_robot_def_id',
  'has_dialogue_lines',
  'first_line_at',
  'check_point',
] as const;

/** The callback with its last session's lines replaced by these (each a copy of the first line otherwise). */
function withLastLines(callback: RawCallback, lines: Record<string, unknown>[]): RawCallback {
  const instances = callback.instances as Record<string, unknown>[];
  const last = instances.at(-1)!;
  const [template] = last.dialogueContentList as Record<string, unknown>[];
  return {
    ...callback,
    instances: [...instances.slice(0, -1), { ...last, dialogueContentList: lines.map((line) => ({ ...template, ...line })) }],
  };
}

/** The callbacks: the seed, variants sharing its contact, contacts known by other keys or absent, and generated shapes. */
function callbacks(): RawCallback[] {
  const seed = seedCallback();
  const contact = seed.contactDetailRel as Record<string, unknown>;
  const variants = Array.from({ length: 24 }, (_, index) => variantCallback(index + 1));
  const edited: RawCallback[] = [
    { ...variantCallback(101), contactDetailRel: undefined },
    { ...variantCallback(102), contactDetailRel: { ...contact, mobile: undefined } },
    { ...variantCallback(103), contactDetailRel: { ...contact, mobile: '' }, customerNumber: '' },
    { ...variantCallback(104), contactDetailRel: { remark: 'only a remark' }, customerNumber: undefined },
    { ...variantCallback(105), instances: [] },
    // The last session's last lines are no hit (matchType 10, then an empty matchName): the checkpoint is before them.
    withLastLines(variantCallback(107), [
      { matchType: 6, matchName: 'hit' },
      { matchType: 10, matchName: 'no match' },
      { matchType: 6, matchName: '' },
    ]),
  ];
  const generated = fc.sample(callbackArb, { numRuns: 60, seed: 14 }) as RawCallback[];
  const all = [seed, ...variants, ...edited, ...generated];
  return all.filter((callback, index) => all.findIndex((other) => other.callId === callback.callId) === index);
}

/** What the schema before 0007 stored: the flattened rows, without the columns 0007 adds. */
async function storeAsBefore(db: TestDatabase, calls: CallRows[]): Promise<void> {
  const rowsOf: Record<(typeof CALL_TABLES)[number], (call: CallRows) => Record<string, unknown>[]> = {
    calls: (call) => [call.call],
    call_instances: (call) => call.instances,
    dialogue_lines: (call) => call.lines,
    call_labels: (call) => call.labels,
    call_variables: (call) => call.variables,
    call_recordings: (call) => call.recordings,
  };
  for (const table of CALL_TABLES) {
    const { rows: columns } = await db.pool.query<{ column_name: string }>(
      `select column_name from information_schema.columns
       where table_schema = 'public' and table_name = $1 and is_generated = 'NEVER' order by ordinal_position`,
      [table],
    );
    const names = columns.map((column) => column.column_name).join(', ');
    await db.pool.query(`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, $1::json)`, [
      JSON.stringify(calls.flatMap(rowsOf[table])),
    ]);
  }
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

describe('migration 0007: the back-fill of calls stored before it', () => {
  let db: TestDatabase;
  const flattened: CallRows[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase(inject('adminDatabaseUrl'), {
      prefix: 'callstream_backfill',
      migrateThrough: '0006_tenant_rate_limit.sql',
    });
    await db.pool.query(
      `insert into tenants (tenant_id, name, timezone, ingest_token_hash, access_token_hash) values ($1, 'old', $2, '\\x00', '\\x00')`,
      [TENANT_ID, TOKYO],
    );
    const base = Date.parse('2026-01-02T03:04:05.000Z');
    callbacks().forEach((callback, index) => {
      // The seed keeps the received time of the checked-in expected answer; the others are later, apart.
      const envelope = envelopeOf(TENANT_ID, callback, randomUUID(), new Date(base + index * 3_600_000));
      flattened.push(flattenCall(envelope, TOKYO, { partition: 0, offset: String(index) }));
    });
    await storeAsBefore(db, flattened);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('fills every call as the consumer would have, and each contact from its calls', async () => {
    expect(flattened.length).toBeGreaterThan(60);
    const applied = await migrate(db.pool, { backfillBatchSize: 7 });
    expect(applied.slice(0, 2)).toEqual(['0007_call_read_model.sql', '0007_call_read_model.backfill']);

    const { rows } = await db.pool.query(`select call_id, ${READ_MODEL_COLUMNS.join(', ')} from calls order by call_id`);
    const stored = new Map(
      rows.map((row) => [row.call_id, Object.fromEntries(READ_MODEL_COLUMNS.map((column) => [column, iso(row[column])]))]),
    );
    const expected = new Map(
      flattened.map(({ call }) => [call.call_id, Object.fromEntries(READ_MODEL_COLUMNS.map((column) => [column, call[column]]))]),
    );
    expect(stored).toEqual(expected);
    // The sample covers each kind of call the read model tells apart.
    const values = [...expected.values()];
    expect(stored.get(variantCallback(107).callId)?.check_point).toBe('hit');
    for (const column of ['customer_id', 'first_robot_id', 'first_line_at', 'check_point'] as const) {
      expect(values.some((value) => value[column] === null)).toBe(true);
      expect(values.some((value) => value[column] !== null)).toBe(true);
    }

    const contacts = new Map<string, { first: string; last: string }>();
    for (const { call } of flattened) {
      if (call.customer_id === null) continue;
      const key = String(call.customer_id);
      const at = String(call.received_at);
      const known = contacts.get(key);
      contacts.set(
        key,
        known ? { first: known.first < at ? known.first : at, last: known.last > at ? known.last : at } : { first: at, last: at },
      );
    }
    const { rows: contactRows } = await db.pool.query('select * from contacts order by customer_id');
    expect(
      contactRows.map((row) => ({ ...row, first_stored_at: iso(row.first_stored_at), last_stored_at: iso(row.last_stored_at) })),
    ).toEqual(
      [...contacts.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([customerId, dates]) => ({
          tenant_id: TENANT_ID,
          customer_id: customerId,
          first_stored_at: dates.first,
          last_stored_at: dates.last,
        })),
    );
    // The seed's contact is shared by the variants: first and last differ.
    const seedContact = contacts.get(String(flattened[0]!.call.customer_id))!;
    expect(seedContact.first).not.toBe(seedContact.last);
  });

  it('answers the seed lookup from the back-filled rows as before, with its contact dates', async () => {
    const row = await createCallsRepository(db.pool).findCall(TENANT_ID, seedCallback().callId);
    const seedContact = flattened.filter(({ call }) => call.customer_id === flattened[0]!.call.customer_id);
    const last = seedContact
      .map(({ call }) => String(call.received_at))
      .sort()
      .at(-1)!;
    expect(mapCallHistory(row!, TENANT_ID, TOKYO)).toEqual({
      ...expectedSeedHistory,
      customer: {
        ...expectedSeedHistory.customer,
        updatedDateTime: new Date(Date.parse(last) + 9 * 3_600_000).toISOString().replace('.000Z', '+09:00'),
      },
    });
  });

  it('migrating again applies nothing and changes no row', async () => {
    const tables = [...CALL_TABLES, 'contacts', 'schema_migrations'];
    const before = await tableChecksums(db.pool, tables);
    expect(await migrate(db.pool)).toEqual([]);
    expect(await tableChecksums(db.pool, tables)).toEqual(before);
  });
});
