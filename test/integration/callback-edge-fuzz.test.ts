import fc from 'fast-check';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { bulkCaseArb, edgeCaseArb, type EdgeCase } from '../support/edge-callback-arbitrary.ts';
import { differences, expectedCall, localTimesOf, withInstants, type ExpectedCall } from '../support/edge-callback-oracle.ts';
import { isObject, pathNamesField, serialize } from '../support/edge-json.ts';
import { fuzzRuns } from '../support/chaos-callback-arbitrary.ts';
import { waitUntilConsumed } from '../../kit/consumer-group.ts';
import { readMessages } from '../../kit/topic-reader.ts';
import { uniqueName } from '../../kit/topics.ts';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * The promise at the schema's edges, end to end (ingress → Kafka → consumer → Postgres): whatever the
 * schema decides about an edge case, a 2xx means the call is in Postgres exactly once, field for field,
 * and never on the dead-letter topic; a 4xx means nothing of it reached the topic or the tables, and each
 * issue names a field that was sent. Each case gets its own tenant, in one of the edge zones, so the body
 * is sent exactly as generated. CI runs 80 cases and 4 bodies at the size limit (about 30 s); `npm run fuzz` runs 10,000 edge cases and 100 bodies at the size limit.
 */
let pipeline: TestPipeline;
let admin: Admin;
const group = uniqueName('edge-fuzz-group');
const bodyLimitBytes = loadConfig({}).BODY_LIMIT_BYTES;
const outcomes = { accepted: [] as string[], refused: [] as string[] };

beforeAll(async () => {
  // This process holds, beside the ingress, each megabyte case's expected and stored rows (hundreds of
  // thousands of them) and the in-process consumer's; a deployed ingress holds none of that. Its heap limit
  // (503 OVERLOADED, tested in ingress-pressure.test.ts) is raised here so that it guards only the ingress.
  pipeline = await startTestPipeline({ env: { MAX_HEAP_USED_BYTES: String(8 * 1024 ** 3) } });
  admin = pipeline.kafka.admin();
  await admin.connect();
  await pipeline.startConsumer(group);
});

afterAll(async () => {
  await admin?.disconnect();
  await pipeline?.close();
});

async function total(topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
}
const topicTotals = async () => ({
  records: await total(pipeline.topics.callRecords),
  rejected: await total(pipeline.topics.rejected),
  dlq: await total(pipeline.topics.dlq),
});

/** Why the consumer dead-lettered the newest letter, so the failing case says what broke. */
async function lastDeadLetter(count: number): Promise<Record<string, string>> {
  const letters = await readMessages(pipeline.kafka, pipeline.topics.dlq, count);
  const headers = letters.at(-1)?.headers ?? {};
  return Object.fromEntries(['error-code', 'error-message', 'error-sqlstate'].map((name) => [name, String(headers[name] ?? '')]));
}

const TIMESTAMP = new Set(['call_start_time', 'call_end_time', 'dialogue_start_time', 'dialogue_end_time', 'started_at']);
const ARRAY = new Set(['robot_names', 'label_infos']);
/** Columns as text, exactly: bigints as digits, instants as epoch seconds, arrays through JSON. */
const columnsOf = (row: Record<string, unknown>) =>
  Object.keys(row)
    .map((column) =>
      TIMESTAMP.has(column)
        ? `extract(epoch from ${column})::text as ${column}`
        : ARRAY.has(column)
          ? `array_to_json(${column}) as ${column}`
          : `${column}::text as ${column}`,
    )
    .join(', ');

async function storedRows(tenantId: string, expected: ExpectedCall) {
  const pool = pipeline.db.pool;
  // Ordered by the table's integer column (t.…), not by the text it is selected as.
  const child = async (table: string, sample: Record<string, unknown> | undefined, order: string) =>
    sample
      ? (await pool.query(`select ${columnsOf(sample)} from ${table} t where tenant_id = $1 order by ${order}`, [tenantId])).rows
      : (await pool.query<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenantId])).rows[0]!.n === 0
        ? []
        : [`rows in ${table} where none were sent`];
  const calls = await pool.query(
    `select ${columnsOf(expected.call)},
       raw = $2::jsonb as raw_same, contact_variates is not distinct from $3::jsonb as variates_same, raw::text as raw_text
     from calls where tenant_id = $1`,
    [tenantId, expected.rawText, expected.variatesText],
  );
  return {
    calls: calls.rows,
    instances: await child('call_instances', expected.instances[0], 't.instance_seq'),
    lines: await child('dialogue_lines', expected.lines[0], 't.instance_seq, t.seq'),
    labels: await child('call_labels', expected.labels[0], 't.label_seq'),
    variables: await child('call_variables', expected.variables[0], 't.seq'),
    recordings: await child('call_recordings', expected.recordings[0], 't.seq'),
  };
}

/** The instants Postgres gives the local times in the zone: the oracle is Postgres, not the code under test. */
async function instantsIn(zone: string, localTimes: string[]): Promise<Map<string, string>> {
  const { rows } = await pipeline.db.pool.query<{ local: string; epoch: string }>(
    `select t as local, extract(epoch from (t::timestamp at time zone $2))::text as epoch from unnest($1::text[]) t`,
    [localTimes, zone],
  );
  return new Map(rows.map(({ local, epoch }) => [local, epoch]));
}

async function nothingStored(tenantId: string): Promise<Record<string, number>> {
  const { rows } = await pipeline.db.pool.query<Record<string, number>>(
    `select (select count(*)::int from calls where tenant_id = $1) as calls,
            (select count(*)::int from call_instances where tenant_id = $1) as instances,
            (select count(*)::int from dialogue_lines where tenant_id = $1) as lines,
            (select count(*)::int from call_labels where tenant_id = $1) as labels,
            (select count(*)::int from call_variables where tenant_id = $1) as variables,
            (select count(*)::int from call_recordings where tenant_id = $1) as recordings`,
    [tenantId],
  );
  return rows[0]!;
}

async function holdsThePromise({ zone, body }: EdgeCase, text = serialize(body)): Promise<void> {
  const tenant = await pipeline.createTenant({ timezone: zone });
  const before = await topicTotals();
  const send = () =>
    pipeline.ingress.inject({
      method: 'POST',
      url: `/v1/tenants/${tenant.tenantId}/call-records`,
      headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json' },
      payload: text,
    });
  let response = await send();
  // Overload is answered 503 + Retry-After (in contract: the sender retries). The consumer shares this
  // process, so writing a megabyte case's rows can hold the event loop past the pressure limit for the
  // next request; a sender would retry, and so does the test, after checking nothing was taken.
  // Up to 24 times, as the platforms that send callbacks do.
  for (let attempt = 1; response.statusCode === 503 && response.headers['retry-after'] && attempt <= 24; attempt++) {
    expect(await total(pipeline.topics.callRecords)).toBe(before.records);
    await new Promise((done) => setTimeout(done, 1_000));
    response = await send();
  }
  const status = response.statusCode;
  // The code of a refusal is shown when the class is wrong, so a failure says which 5xx it was.
  const code = status >= 500 ? (response.json() as { error?: { code?: string } }).error?.code : undefined;
  expect({ status, class: Math.floor(status / 100), code }).toEqual({ status, class: status < 300 ? 2 : 4, code: undefined });

  if (status < 300) {
    outcomes.accepted.push(tenant.tenantId);
    const sent = body as Record<string, unknown>;
    expect(response.json()).toEqual({ status: 'accepted', callId: sent.callId, eventId: expect.any(String) });
    await waitUntilConsumed(pipeline.kafka, group, pipeline.topics.callRecords, 60_000);
    const after = await topicTotals();
    const deadLettered = after.dlq - before.dlq;
    expect({
      published: after.records - before.records,
      deadLettered,
      why: deadLettered ? await lastDeadLetter(after.dlq) : undefined,
    }).toEqual({
      published: 1,
      deadLettered: 0,
      why: undefined,
    });
    if (!isObject(body)) throw new Error('a body that is not an object was accepted');
    const expected = expectedCall(body);
    const instants = await instantsIn(zone, localTimesOf(expected));
    const stored = await storedRows(tenant.tenantId, expected);
    const [call, ...copies] = stored.calls;
    expect(
      { copies: copies.length, raw_same: call?.raw_same, variates_same: call?.variates_same },
      `raw stored: ${String(call?.raw_text).slice(0, 1_000)}`,
    ).toEqual({
      copies: 0,
      raw_same: true,
      variates_same: true,
    });
    const { raw_same: _r, variates_same: _v, raw_text: _t, ...columns } = call!;
    const wanted = {
      calls: expected.call,
      instances: expected.instances,
      lines: expected.lines,
      labels: expected.labels,
      variables: expected.variables,
      recordings: expected.recordings,
    };
    expect(differences({ ...stored, calls: columns }, withInstants(wanted, instants))).toEqual([]);
    return;
  }

  outcomes.refused.push(tenant.tenantId);
  const answer = response.json() as { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
  const after = await topicTotals();
  expect({ published: after.records - before.records, quarantined: after.rejected - before.rejected }).toEqual({
    published: 0,
    quarantined: status === 422 ? 1 : 0,
  });
  expect(await nothingStored(tenant.tenantId)).toEqual({ calls: 0, instances: 0, lines: 0, labels: 0, variables: 0, recordings: 0 });
  expect(typeof answer.error.code === 'string' && answer.error.message.length > 0).toBe(true);
  if (status === 422) {
    expect(answer.error.code).toBe('SCHEMA_VIOLATION');
    const issues = answer.error.issues ?? [];
    expect(issues.length).toBeGreaterThan(0);
    const parsed: unknown = JSON.parse(text);
    const unnamed = issues.filter(
      (issue) => typeof issue.message !== 'string' || issue.message === '' || !pathNamesField(parsed, issue.path),
    );
    expect(unnamed).toEqual([]);
  }
}

describe('callbacks at the edges, end to end', () => {
  it('stores every accepted edge callback once, field for field; a refused one stores nothing and names the field', async () => {
    await fc.assert(
      fc.asyncProperty(edgeCaseArb, (edgeCase) => holdsThePromise(edgeCase)),
      { numRuns: fuzzRuns(80) },
    );
  }, 14_400_000);

  it('keeps the promise for bodies at the size limit: thousands of tiny items or one long text', async () => {
    // Each case is up to a megabyte and tens of thousands of rows: a handful in CI, a hundredth of the fuzz count.
    const fuzzing = fuzzRuns(0);
    const runs = fuzzing > 0 ? Math.max(4, Math.ceil(fuzzing / 100)) : 4;
    await fc.assert(
      fc.asyncProperty(bulkCaseArb(bodyLimitBytes), (bulk) => holdsThePromise(bulk, bulk.text)),
      { numRuns: runs },
    );
  }, 14_400_000);

  it('dead-lettered nothing, stored each accepted call once and nothing of a refused one', async () => {
    expect(await total(pipeline.topics.dlq)).toBe(0);
    const { rows } = await pipeline.db.pool.query<{ tenant_id: string; calls: number }>(
      `select t.tenant_id::text, count(c.call_id)::int as calls from tenants t left join calls c using (tenant_id) group by t.tenant_id`,
    );
    const stored = new Map(rows.map((row) => [row.tenant_id, row.calls]));
    expect(outcomes.accepted.length).toBeGreaterThan(0);
    expect(outcomes.refused.length).toBeGreaterThan(0);
    expect(outcomes.accepted.filter((tenantId) => stored.get(tenantId) !== 1)).toEqual([]);
    expect(outcomes.refused.filter((tenantId) => stored.get(tenantId) !== 0)).toEqual([]);
  });
});
