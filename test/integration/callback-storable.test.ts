import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TIME_RANGE_MESSAGE, maxLengthMessage, UNSAFE_INTEGER_MESSAGE } from '../../shared/callback/fields.ts';
import { INEXACT_NUMBER_MESSAGE, NON_FINITE_NUMBER_MESSAGE } from '../../services/ingress/callback-body/json-numbers.ts';
import { EARLIEST_LOCAL_TIME, LATEST_LOCAL_TIME, MAX_INDEXED_TEXT_LENGTH } from '../../shared/callback/limits.ts';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import { endOffsets, waitUntilConsumed } from '../../kit/consumer-group.ts';
import { uniqueName } from '../../kit/topics.ts';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * Whatever the ingress answers 200 for, the real consumer stores: values at each storage bound go
 * through ingress → Kafka → consumer → Postgres and land column for column; one past the bound is a 422
 * naming the field, and nothing of it is stored or dead-lettered. Once, these got a 200 and were then
 * dead-lettered (an index row over the btree maximum, a timestamp before year 1 in UTC, 1e400 kept as null).
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const LIMIT = MAX_INDEXED_TEXT_LENGTH;
const TOO_LONG = maxLengthMessage(LIMIT);
// Four UTF-8 bytes per character (code point, as the bound counts): the most bytes text at the limit can take.
const atLimit = (mark: string) => `${mark}:${'𠀋'.repeat(LIMIT - mark.length - 1)}`;
/** Text Postgres cannot compress into an index entry, as real labels are: 'x' × 6,000 would fit compressed. */
const incompressible = (length: number) => {
  let state = 12345;
  return Array.from({ length }, () => String.fromCharCode(0x4e00 + ((state = (state * 1103515245 + 12345) % 2 ** 31) % 20_000))).join('');
};

/** Zones at the edges of the offsets the tz database knows, with the instants (checked against Postgres 15) of both extremes. */
const EXTREME_ZONES: Array<[zone: string, earliest: string, latest: string]> = [
  ['Pacific/Kiritimati', '0001-01-02T10:29:20Z', '9999-12-30T09:59:59Z'], // LMT −10:29:20, today +14
  ['Etc/GMT-14', '0001-01-01T10:00:00Z', '9999-12-30T09:59:59Z'],
  ['Etc/GMT+12', '0001-01-02T12:00:00Z', '9999-12-31T11:59:59Z'],
  ['Pacific/Chatham', '0001-01-01T11:46:12Z', '9999-12-30T10:14:59Z'], // LMT +12:13:48, today +13:45 in summer
  ['Asia/Manila', '0001-01-02T15:56:08Z', '9999-12-30T15:59:59Z'], // LMT −15:56:08 until 1844, the largest negative offset
  ['America/Sitka', '0001-01-01T09:01:13Z', '9999-12-31T08:59:59Z'], // LMT +14:58:47 until 1867 (Russian America)
  ['America/Metlakatla', '0001-01-01T08:46:18Z', '9999-12-31T08:59:59Z'], // LMT +15:13:42, the largest positive offset
  ['Asia/Tokyo', '0001-01-01T14:41:01Z', '9999-12-30T14:59:59Z'],
];

let pipeline: TestPipeline;
let tokyo: CreatedTenant;
const zoneTenants = new Map<string, CreatedTenant>();
const group = uniqueName('storable-group');

beforeAll(async () => {
  pipeline = await startTestPipeline();
  tokyo = await pipeline.createTenant();
  for (const [zone] of EXTREME_ZONES) zoneTenants.set(zone, await pipeline.createTenant({ timezone: zone }));
  await pipeline.startConsumer(group);
});

afterAll(async () => {
  await pipeline?.close();
});

const post = (body: string, tenant = tokyo) =>
  pipeline.ingress.inject({
    method: 'POST',
    url: `/v1/tenants/${tenant.tenantId}/call-records`,
    headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json' },
    payload: body,
  });

const callback = (callId: string, change: Record<string, unknown> = {}) => JSON.stringify({ ...seed, callId, ...change });
/** Raw members before the callback's own, for numbers JSON.stringify cannot write. */
const withRaw = (callId: string, members: string, change: Record<string, unknown> = {}) =>
  callback(callId, change).replace('{', `{${members},`);

async function expectAccepted(body: string, callId: string, tenant = tokyo): Promise<void> {
  const response = await post(body, tenant);
  expect({ status: response.statusCode, body: response.json() }).toEqual({
    status: 200,
    body: { status: 'accepted', callId, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
  });
  await waitUntilConsumed(pipeline.kafka, group, pipeline.topics.callRecords);
}

async function expectRefused(body: string, issues: Array<{ path: string; message: string }>, tenant = tokyo): Promise<void> {
  const response = await post(body, tenant);
  expect({ status: response.statusCode, body: response.json() }).toEqual({
    status: 422,
    body: {
      error: {
        code: 'SCHEMA_VIOLATION',
        message: 'the callback does not match the schema; it was kept for inspection',
        issues,
        eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    },
  });
}

const refusedIds: string[] = [];
const refusedId = (name: string) => {
  refusedIds.push(`refused-${name}`);
  return `refused-${name}`;
};

describe('indexed text at its bound', () => {
  it('refuses a 6,000-character label with 422 naming it (once a 200, then an index row over the btree maximum)', async () => {
    await expectRefused(callback(refusedId('label-6000'), { labelInfos: [incompressible(6_000)] }), [
      { path: 'labelInfos[0]', message: TOO_LONG },
    ]);
  });

  it(`refuses every indexed text field one past ${LIMIT} characters, all in one answer`, async () => {
    const long = 'x'.repeat(LIMIT + 1);
    const body = callback(refusedId('indexed-257'), {
      fromNumber: long,
      toNumber: long,
      relayNumber: long,
      customerNumber: long,
      labelInfos: ['ok', long],
      contactDetailRel: { ...seed.contactDetailRel, mobile: long },
      instances: [{ ...seed.instances[0], labelInfoList: [{ name: long }] }],
    });
    await expectRefused(body, [
      { path: 'fromNumber', message: TOO_LONG },
      { path: 'toNumber', message: TOO_LONG },
      { path: 'relayNumber', message: TOO_LONG },
      { path: 'labelInfos[1]', message: TOO_LONG },
      { path: 'instances[0].labelInfoList[0].name', message: TOO_LONG },
      { path: 'contactDetailRel.mobile', message: TOO_LONG },
      { path: 'customerNumber', message: TOO_LONG },
    ]);
  });

  it.each([
    ['customerNumber', 2],
    ['fromNumber', 1],
  ])(`stores every indexed text field at ${LIMIT} characters (phone_number from %s, workflow %i)`, async (source, workflow) => {
    const callId = `at-limit-${source}`;
    const values = {
      fromNumber: atLimit('from'),
      toNumber: atLimit('to'),
      relayNumber: atLimit('relay'),
      customerNumber: atLimit('customer'),
      mobile: atLimit('mobile'),
      label: atLimit('label'),
      sessionLabel: atLimit('session-label'),
    };
    expect(Object.values(values).map((value) => [...value].length)).toEqual(Array(7).fill(LIMIT));
    const body = callback(callId, {
      workflow,
      fromNumber: values.fromNumber,
      toNumber: values.toNumber,
      relayNumber: values.relayNumber,
      customerNumber: values.customerNumber,
      labelInfos: [values.label],
      contactDetailRel: { ...seed.contactDetailRel, mobile: values.mobile },
      instances: [{ ...seed.instances[0], labelInfoList: [{ name: values.sessionLabel }] }],
    });
    await expectAccepted(body, callId);

    const { rows: calls } = await pipeline.db.pool.query(
      `select from_number, to_number, relay_number, customer_number, contact_mobile, phone_number, label_infos
         from calls where tenant_id = $1 and call_id = $2`,
      [tokyo.tenantId, callId],
    );
    expect(calls).toEqual([
      {
        from_number: values.fromNumber,
        to_number: values.toNumber,
        relay_number: values.relayNumber,
        customer_number: values.customerNumber,
        contact_mobile: values.mobile,
        phone_number: source === 'fromNumber' ? values.fromNumber : values.customerNumber,
        label_infos: [values.label],
      },
    ]);
    const { rows: labels } = await pipeline.db.pool.query(
      'select label_seq, instance_seq, name from call_labels where tenant_id = $1 and call_id = $2 order by label_seq',
      [tokyo.tenantId, callId],
    );
    expect(labels).toEqual([
      { label_seq: 1, instance_seq: null, name: values.label },
      { label_seq: 2, instance_seq: 1, name: values.sessionLabel },
    ]);
  });
});

describe('local times at the ends of the storable range', () => {
  it('refuses 0001-01-01 00:00:00 for an Asia/Tokyo tenant (once a 200, then out of range for Postgres)', async () => {
    await expectRefused(callback(refusedId('year-1-tokyo'), { callStartTime: '0001-01-01 00:00:00' }), [
      { path: 'callStartTime', message: LOCAL_TIME_RANGE_MESSAGE },
    ]);
  });

  it.each(EXTREME_ZONES.map(([zone]) => zone))('refuses one second outside the range in %s', async (zone) => {
    const tenant = zoneTenants.get(zone)!;
    const id = refusedId(`outside-${zone.replace('/', '-')}`);
    await expectRefused(
      callback(id, {
        callStartTime: '0001-01-01 23:59:59',
        callEndTime: '9999-12-31 00:00:00',
        instances: [
          {
            ...seed.instances[0],
            dialogueStartTime: '0001-01-01 23:59:59',
            dialogueContentList: [{ dialogueStartTime: '9999-12-31 00:00:00' }],
          },
        ],
      }),
      [
        { path: 'callStartTime', message: LOCAL_TIME_RANGE_MESSAGE },
        { path: 'callEndTime', message: LOCAL_TIME_RANGE_MESSAGE },
        { path: 'instances[0].dialogueStartTime', message: LOCAL_TIME_RANGE_MESSAGE },
        { path: 'instances[0].dialogueContentList[0].dialogueStartTime', message: LOCAL_TIME_RANGE_MESSAGE },
      ],
      tenant,
    );
  });

  it.each(EXTREME_ZONES)('stores both ends in %s as the exact instants', async (zone, earliest, latest) => {
    const tenant = zoneTenants.get(zone)!;
    const callId = `extremes-${zone}`;
    const body = callback(callId, {
      callStartTime: EARLIEST_LOCAL_TIME,
      callEndTime: LATEST_LOCAL_TIME,
      instances: [
        {
          ...seed.instances[0],
          dialogueStartTime: EARLIEST_LOCAL_TIME,
          dialogueEndTime: LATEST_LOCAL_TIME,
          dialogueContentList: [{ dialogueStartTime: EARLIEST_LOCAL_TIME }, { dialogueStartTime: LATEST_LOCAL_TIME }],
        },
      ],
    });
    await expectAccepted(body, callId, tenant);

    const utc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    const { rows } = await pipeline.db.pool.query(
      `select ${utc('c.call_start_time')} as start, ${utc('c.call_end_time')} as "end",
              ${utc('i.dialogue_start_time')} as session_start, ${utc('i.dialogue_end_time')} as session_end,
              array(select ${utc('l.started_at')} from dialogue_lines l
                     where l.tenant_id = c.tenant_id and l.call_id = c.call_id order by l.seq) as lines,
              -- Postgres's own reading of the wall clock in the zone agrees.
              c.call_start_time = $3::timestamp at time zone $4 and c.call_end_time = $5::timestamp at time zone $4 as postgres_agrees
         from calls c join call_instances i using (tenant_id, call_id)
        where c.tenant_id = $1 and c.call_id = $2`,
      [tenant.tenantId, callId, EARLIEST_LOCAL_TIME, zone, LATEST_LOCAL_TIME],
    );
    expect(rows).toEqual([
      { start: earliest, end: latest, session_start: earliest, session_end: latest, lines: [earliest, latest], postgres_agrees: true },
    ]);
  });

  it('refuses 9999-12-31 23:59:59 in Etc/GMT+12 (its instant is in year 10000)', async () => {
    await expectRefused(
      callback(refusedId('year-10000'), { callEndTime: '9999-12-31 23:59:59' }),
      [{ path: 'callEndTime', message: LOCAL_TIME_RANGE_MESSAGE }],
      zoneTenants.get('Etc/GMT+12')!,
    );
  });
});

describe('numbers that JSON.parse cannot read exactly', () => {
  it.each([
    ['1e400 in an unknown field (once a 200, stored as null)', '"extra": 1e400', {}, 'extra', NON_FINITE_NUMBER_MESSAGE],
    ['-1e400 nested in an unknown field', '"extra": {"deep": [0, -1e400]}', {}, 'extra.deep[1]', NON_FINITE_NUMBER_MESSAGE],
    ['1e400 in a known count', '"ignored": 1', { callDuration: '@' }, 'callDuration', NON_FINITE_NUMBER_MESSAGE],
    ['a 23-digit decimal', '"score": 0.12345678901234567890123', {}, 'score', INEXACT_NUMBER_MESSAGE],
    ['1e-400, which reads as 0', '"tiny": 1e-400', {}, 'tiny', INEXACT_NUMBER_MESSAGE],
    ['an integer above 2^53', '"big": 9007199254740993', {}, 'big', UNSAFE_INTEGER_MESSAGE],
  ])('refuses %s with 422 naming its path', async (name, members, change, path, message) => {
    const id = refusedId(`number-${name.slice(0, 12).replace(/\W/g, '_')}`);
    const body = withRaw(id, members, change).replace('"callDuration":"@"', '"callDuration":1e400');
    await expectRefused(body, [{ path, message }]);
  });

  it('stores numbers that read back exactly, each as the value written', async () => {
    const callId = 'exact-numbers';
    const members = '"n": {"a": 1.50, "b": 1e2, "c": -0, "d": 5e-324, "e": -1.25e-300, "f": 0.1, "g": 1.5e-7, "h": 0.30000000000000004}';
    await expectAccepted(withRaw(callId, members), callId);
    const { rows } = await pipeline.db.pool.query(`select raw->'n' as n from calls where tenant_id = $1 and call_id = $2`, [
      tokyo.tenantId,
      callId,
    ]);
    expect(rows).toEqual([{ n: { a: 1.5, b: 100, c: 0, d: 5e-324, e: -1.25e-300, f: 0.1, g: 1.5e-7, h: 0.30000000000000004 } }]);
  });
});

// A migration that indexes another text column, or narrows an integer column, must come with a bound here.
describe('the columns the bounds are derived from', () => {
  it('indexes only these text columns: the call id (at most 128) and the two fed by bounded fields', async () => {
    const { rows } = await pipeline.db.pool.query(
      `select c.relname || '.' || a.attname as "column"
         from pg_index i
         join pg_class c on c.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey)
        where n.nspname = 'public' and a.atttypid = 'text'::regtype and c.relname <> 'schema_migrations'
        group by 1 order by 1`,
    );
    // No expression index exists (indkey 0 would hide its columns from this query).
    const { rows: expressions } = await pipeline.db.pool.query(
      `select indexrelid::regclass::text from pg_index i join pg_class c on c.oid = i.indrelid
        where c.relnamespace = 'public'::regnamespace and 0 = any(i.indkey)`,
    );
    expect({ columns: rows.map((row) => row.column), expressions }).toEqual({
      columns: [
        'call_instances.call_id',
        'call_labels.call_id',
        'call_labels.name', // labelInfos[], instances[].labelInfoList[].name
        'call_recordings.call_id',
        'call_tombstones.call_id', // a call id, written by an erasure (at most 128)
        'call_variables.call_id',
        'calls.call_id',
        'calls.phone_number', // fromNumber, or customerNumber, or toNumber
        'dialogue_lines.call_id',
      ],
      expressions: [],
    });
  });

  it('stores every callback integer as bigint: the only narrower columns are positions the consumer counts itself', async () => {
    const { rows } = await pipeline.db.pool.query(
      `select table_name || '.' || column_name as "column" from information_schema.columns
        where table_schema = 'public' and data_type in ('smallint', 'integer', 'real', 'double precision')
        order by 1`,
    );
    expect(rows.map((row) => row.column)).toEqual([
      'call_instances.instance_seq',
      'call_labels.instance_seq',
      'call_labels.label_seq',
      'call_recordings.seq',
      'call_variables.seq',
      'calls.source_partition', // a Kafka partition, an int32
      'dialogue_lines.instance_seq',
      'dialogue_lines.seq',
    ]);
  });
});

describe('after all of that', () => {
  it('has stored none of the refused callbacks and dead-lettered nothing', async () => {
    await expectAccepted(callback('sentinel'), 'sentinel');
    const { rows } = await pipeline.db.pool.query('select call_id from calls where call_id = any($1) order by call_id', [refusedIds]);
    expect(refusedIds.length).toBe(18);
    expect(rows).toEqual([]);
    const dlq = await endOffsets(pipeline.kafka, pipeline.topics.dlq);
    expect([...dlq.values()].reduce((sum, end) => sum + end, 0n)).toBe(0n);
  });
});
