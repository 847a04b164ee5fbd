import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCallback } from '../../kit/callbacks.ts';
import { canonical } from '../../kit/reconcile.ts';
import { uniqueName } from '../../kit/topics.ts';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import { HOSTILE_TEXT } from '../support/chaos-callback-arbitrary.ts';
import { eventually, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * Hand-written hostile input through the whole pipeline (ingress → Kafka → consumer → Postgres → query):
 * SQL in every text field and query parameter is data, stored and answered verbatim; control characters
 * survive; bytes that are not UTF-8 are refused; huge arrays and 10,000 dialogue lines are stored whole.
 */
let pipeline: TestPipeline;
let tenant: CreatedTenant;

beforeAll(async () => {
  pipeline = await startTestPipeline();
  tenant = await pipeline.createTenant();
  await pipeline.startConsumer(uniqueName('hostile-group'));
});

afterAll(async () => {
  await pipeline?.close();
});

const post = (payload: string | Buffer) =>
  pipeline.ingress.inject({
    method: 'POST',
    url: `/v1/tenants/${tenant.tenantId}/call-records`,
    headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json' },
    payload,
  });
const get = (url: string) =>
  pipeline.query.inject({
    method: 'GET',
    url,
    headers: { 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': tenant.accessToken },
  });

async function storedRaw(callId: string): Promise<unknown> {
  return eventually(async () => {
    const { rows } = await pipeline.db.pool.query('select raw from calls where tenant_id = $1 and call_id = $2', [tenant.tenantId, callId]);
    return rows[0]?.raw;
  }, 30_000);
}

const sql = (n: number) => HOSTILE_TEXT[n % HOSTILE_TEXT.length]!;

/** The seed callback with an injection string in every text field, known or nested. */
function injected(callId: string): Record<string, unknown> {
  const seed = seedCallback();
  const [instance] = seed.instances as Record<string, unknown>[];
  const [line] = instance!.dialogueContentList as Record<string, unknown>[];
  let n = 0;
  const texts = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, sql(n++)]));
  return {
    ...seed,
    ...texts([
      'fromNumber',
      'toNumber',
      'relayNumber',
      'callRecordUrl',
      'customerProvince',
      'customerCity',
      'routerName',
      'agentId',
      'agentName',
    ]),
    ...texts(['queueId', 'queueName', 'intentionLabelKey', 'intentionLabelName', 'adTaskName', 'hangupCause', 'customerNumber', 'remark']),
    ...texts(['taskContactBatchName', 'gender']),
    callId,
    robotNames: [sql(1), sql(2)],
    labelInfos: [sql(3), sql(4)],
    variables: [{ variableName: sql(5), variableValue: sql(6) }],
    allRecordUrl: [{ recordUrl: sql(7), recordType: sql(8) }],
    contactDetailRel: {
      name: sql(9),
      mobile: sql(10),
      companyName: sql(0),
      remark: sql(1),
      variates: [{ key: sql(2), type: sql(3), value: sql(4) }],
    },
    [sql(5)]: sql(6),
    instances: [
      {
        ...instance,
        ...texts(['callId', 'robotName', 'dialogueRecordUrl', 'intentionLabelKey', 'intentionLabelName']),
        labelInfoList: [{ name: sql(7) }],
        dialogueContentList: [{ ...line, ...texts(['callId', 'dialogueContent', 'dialogueRecordUrl', 'matchResult', 'matchName']) }],
      },
    ],
  };
}

describe('hostile input', () => {
  it('stores SQL-injection strings in every text field verbatim, and answers them back unchanged', async () => {
    // The query service takes call ids of [\w.:-] only (a 400 otherwise, see below): the id stays plain here.
    const callId = uniqueName('injected');
    const callback = injected(callId);
    const response = await post(JSON.stringify(callback));
    expect(response.statusCode).toBe(200);
    expect(canonical(await storedRaw(callId))).toBe(canonical(callback));
    const { rows } = await pipeline.db.pool.query(
      `select c.remark, c.hangup_cause, l.content, l.match_name from calls c join dialogue_lines l using (tenant_id, call_id)
       where c.tenant_id = $1 and c.call_id = $2`,
      [tenant.tenantId, callId],
    );
    expect(rows).toEqual([
      { remark: callback.remark, hangup_cause: callback.hangupCause, content: expect.any(String), match_name: expect.any(String) },
    ]);
    const line = ((callback.instances as Record<string, unknown>[])[0]!.dialogueContentList as Record<string, unknown>[])[0]!;
    expect([rows[0].content, rows[0].match_name]).toEqual([line.dialogueContent, line.matchName]);

    const raw = await get(`/v1/calls/${encodeURIComponent(callId)}/raw`);
    expect(raw.statusCode).toBe(200);
    expect(canonical(raw.json())).toBe(canonical(callback));
    const details = await get(`/v1/calls/${encodeURIComponent(callId)}`);
    expect(details.statusCode).toBe(200);
  });

  it.each(HOSTILE_TEXT.map((text) => [text]))(
    'treats %j in a call id or query parameter as data: 404, 400 naming it or 200, never 5xx',
    async (text) => {
      const byId = await get(`/v1/calls/${encodeURIComponent(text)}`);
      expect(byId.statusCode).toBe(404);
      expect(byId.json().error.code).toBe('CALL_NOT_FOUND');
      for (const name of ['phoneNumber', 'start', 'end', 'cursor', 'connectResult', 'campaignId', 'expand', 'limit']) {
        const query = new URLSearchParams({ start: '2021-05-01', end: '2021-05-31', [name]: text.slice(0, 64) });
        const list = await get(`/v1/calls?${query}`);
        expect({ name, ok: list.statusCode === 200 || list.statusCode === 400 }).toEqual({ name, ok: true });
      }
      const { rows } = await pipeline.db.pool.query('select count(*)::int as tenants from tenants');
      expect(rows[0].tenants).toBeGreaterThan(0);
    },
  );

  it('keeps escaped control characters verbatim and refuses raw ones inside a string as invalid JSON (400)', async () => {
    const callId = uniqueName('control');
    const remark = '\u0001\u0007\b\f\n\r\t\u001b\u001f\u007f\u0085\u2028';
    const accepted = await post(JSON.stringify({ ...seedCallback(), callId, remark }));
    expect(accepted.statusCode).toBe(200);
    expect((await storedRaw(callId)) as Record<string, unknown>).toMatchObject({ remark });

    const raw = JSON.stringify({ ...seedCallback(), callId: uniqueName('raw-control'), remark: 'X' }).replace('"X"', '"a\u0001b"');
    const refused = await post(raw);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('INVALID_JSON');
  });

  it('refuses a body whose bytes are not UTF-8 with a 4xx and stores nothing of it', async () => {
    const callId = uniqueName('latin1');
    const [before, after] = JSON.stringify({ ...seedCallback(), callId, remark: 'X' }).split('"X"');
    const body = Buffer.concat([Buffer.from(`${before}"caf`), Buffer.from([0xe9, 0xc3, 0x28, 0xff]), Buffer.from(`"${after}`)]);
    const response = await post(body);
    expect({ status: response.statusCode, body: response.json() }).toEqual({
      status: 400,
      body: { error: expect.objectContaining({ code: 'INVALID_UTF8' }) },
    });
  });

  it('stores a callback with huge arrays (20,000 labels, 5,000 variables) completely', async () => {
    const callId = uniqueName('huge');
    const labelInfos = Array.from({ length: 20_000 }, (_, i) => `l${i}`);
    const variables = Array.from({ length: 5_000 }, (_, i) => ({ variableName: `v${i}`, variableValue: String(i) }));
    const response = await post(JSON.stringify({ ...seedCallback(), callId, instances: [], labelInfos, variables }));
    expect(response.statusCode).toBe(200);
    await storedRaw(callId);
    const { rows } = await pipeline.db.pool.query(
      `select (select count(*)::int from call_labels where tenant_id = $1 and call_id = $2) as labels,
              (select count(*)::int from call_variables where tenant_id = $1 and call_id = $2) as variables`,
      [tenant.tenantId, callId],
    );
    expect(rows[0]).toEqual({ labels: 20_000, variables: 5_000 });
  });

  it('answers 413 to an array beyond the body limit, and stores nothing', async () => {
    const callId = uniqueName('too-big');
    const response = await post(
      JSON.stringify({ ...seedCallback(), callId, labelInfos: Array.from({ length: 200_000 }, (_, i) => `label ${i}`) }),
    );
    expect(response.statusCode).toBe(413);
  });

  it('stores a callback with 10,000 dialogue lines completely and in order', async () => {
    const callId = uniqueName('lines');
    const seed = seedCallback();
    const [instance] = seed.instances as Record<string, unknown>[];
    const lines = Array.from({ length: 10_000 }, (_, i) => ({ dialogueRole: 1 + (i % 2), dialogueContent: `line ${i}` }));
    const body = JSON.stringify({ ...seed, callId, instances: [{ ...instance, dialogueContentList: lines }] });
    expect(body.length).toBeLessThan(1024 * 1024);
    expect((await post(body)).statusCode).toBe(200);
    await storedRaw(callId);
    const { rows } = await pipeline.db.pool.query(
      `select count(*)::int as lines, string_agg(content, '|' order by seq) = $3 as in_order
       from dialogue_lines where tenant_id = $1 and call_id = $2`,
      [tenant.tenantId, callId, lines.map((line) => line.dialogueContent).join('|')],
    );
    expect(rows[0]).toEqual({ lines: 10_000, in_order: true });
  });
});
