import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import {
  SEED_CALL_ID,
  callback,
  commuboHeaders,
  ingest,
  instance,
  line,
  seedCallHistory,
  startQueryTestPipeline,
} from '../fixtures/query-callbacks.ts';

/**
 * GET /v1/calls/{callId} over callbacks that went through the real ingress, Kafka and consumer: the
 * seed sample against the checked-in expected JSON, then every row of docs/query-api.md's mapping table,
 * the left-out cases and each connectResult code.
 */
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const FIRST_RECEIVED = new Date('2026-01-02T03:04:05.000Z');
const LATER_RECEIVED = new Date('2026-01-05T00:00:00.000Z');
const SEED_CUSTOMER = seedCallHistory.customer as Record<string, unknown>;

/** The seed's expected object with fields replaced or (undefined) removed. */
function expected(callId: string, changes: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...structuredClone(seedCallHistory), callId, ...changes };
  for (const [key, value] of Object.entries(result)) if (value === undefined) delete result[key];
  return result;
}

const notConnected = { callDuration: 0, callEndTime: '2021-05-29 10:23:43' };
const twoSessions = [
  instance(101, 1001, 'ボットA', [
    line(1, '2021-05-29 10:23:45', 'お電話ありがとうございます'),
    line(2, '2021-05-29 10:23:47', 'はい', { type: 1, name: 'ノード1' }),
  ]),
  instance(202, 2002, 'ボットB', [
    line(2, '2021-05-29 10:23:50', '予約したい', { type: 2, name: 'ノード2' }),
    line(2, '2021-05-29 10:23:52', 'えーと', { type: 10, name: 'ノード3' }),
    line(1, '2021-05-29 10:23:54', '承知しました'),
  ]),
];

describe('GET /v1/calls/{callId}', () => {
  let pipeline: TestPipeline;
  let tenant: CreatedTenant;
  let clock = FIRST_RECEIVED;
  const get = (url: string, headers: Record<string, string> = commuboHeaders(tenant)) =>
    pipeline.query.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    pipeline = await startQueryTestPipeline({ now: () => clock });
    tenant = await pipeline.createTenant({ tenantId: TENANT_ID });
    await pipeline.startConsumer();
    await ingest(pipeline, tenant, [
      callback({}),
      callback({ callId: 'inbound', workflow: 1, fromNumber: '0312345678', customerNumber: '09099998888' }),
      callback({ callId: 'outbound', workflow: 2, customerNumber: '09011112222', toNumber: '0120000000' }),
      callback({ callId: 'auto-no-customer-number', workflow: 4, customerNumber: undefined }),
      callback({ callId: 'auto-empty-customer-number', workflow: 4, customerNumber: '' }),
      callback({ callId: 'call id/あ?#%' }),
      callback({ callId: 'workflow-7', workflow: 7 }),
      callback({ callId: 'not-connected', ...notConnected }),
      callback({ callId: 'not-connected-no-instances', ...notConnected, instances: [] }),
      callback({ callId: 'connected-by-called-result', calledResult: 2, callDuration: 30, instances: undefined }),
      callback({ callId: 'no-contact', contactDetailRel: undefined }),
      callback({ callId: 'null-contact', contactDetailRel: null }),
      callback({ callId: 'two-sessions', instances: twoSessions }),
      callback({ callId: 'with-note', remark: '折り返し希望' }),
      callback({ callId: 'no-answer', ...notConnected, hangupCause: undefined }),
      callback({ callId: 'absent', ...notConnected, hangupCause: '不在' }),
      callback({ callId: 'rejected', ...notConnected, hangupCause: '着信拒否' }),
      callback({ callId: 'failed', ...notConnected, hangupCause: '回線エラー' }),
      callback({ callId: 'busy', ...notConnected, hangupCause: '話中' }),
      callback({ callId: 'contact-first', contactDetailRel: { name: '鈴木 一郎', mobile: '08055556666' }, customerNumber: '0330001234' }),
    ]);
    clock = LATER_RECEIVED;
    await ingest(pipeline, tenant, [callback({ callId: 'contact-again', contactDetailRel: { name: '鈴木 一郎', mobile: '08055556666' } })]);
  });
  afterAll(() => pipeline?.close());

  it('answers the seed-000 sample with the checked-in expected JSON, field by field', async () => {
    const response = await get(`/v1/calls/${SEED_CALL_ID}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = response.json();
    for (const field of new Set([...Object.keys(seedCallHistory), ...Object.keys(body)])) {
      expect(body[field], field).toEqual(seedCallHistory[field]);
    }
    expect(response.body).toBe(JSON.stringify(seedCallHistory));
  });

  it('callType and phoneNumber by workflow: inbound, outbound, automatic outbound, unknown', async () => {
    expect((await get('/v1/calls/inbound')).json()).toEqual(
      expected('inbound', {
        callType: 0,
        phoneNumber: '0312345678',
        customer: { ...SEED_CUSTOMER, phoneNumbers: ['18770915633', '09099998888'] },
      }),
    );
    expect((await get('/v1/calls/outbound')).json()).toEqual(
      expected('outbound', {
        callType: 1,
        phoneNumber: '09011112222',
        customer: { ...SEED_CUSTOMER, phoneNumbers: ['18770915633', '09011112222'] },
      }),
    );
    expect((await get('/v1/calls/auto-no-customer-number')).json()).toEqual(
      expected('auto-no-customer-number', { callType: 1, phoneNumber: '05388593211' }),
    );
    // Regression: an empty customerNumber once hid toNumber and left phoneNumber out.
    expect((await get('/v1/calls/auto-empty-customer-number')).json()).toEqual(
      expected('auto-empty-customer-number', { callType: 1, phoneNumber: '05388593211' }),
    );
    expect((await get('/v1/calls/workflow-7')).json()).toEqual(expected('workflow-7', { callType: undefined }));
  });

  it('not connected: no connectedDateTime, talkTime or checkPoint; the operator who dialled stays', async () => {
    expect((await get('/v1/calls/not-connected')).json()).toEqual(
      expected('not-connected', { connectedDateTime: undefined, talkTime: undefined, checkPoint: undefined, connectResult: 'BUSY' }),
    );
  });

  it('no instances: no operator, no scenario (and, not connected, no connected fields)', async () => {
    expect((await get('/v1/calls/not-connected-no-instances')).json()).toEqual(
      expected('not-connected-no-instances', {
        connectedDateTime: undefined,
        talkTime: undefined,
        checkPoint: undefined,
        connectResult: 'BUSY',
        operator: undefined,
        scenario: undefined,
      }),
    );
  });

  it('connected by calledResult 2 without dialogue: connectedDateTime is callDateTime, talkTime callDuration', async () => {
    expect((await get('/v1/calls/connected-by-called-result')).json()).toEqual(
      expected('connected-by-called-result', {
        connectedDateTime: '2021-05-29T10:23:43+09:00',
        talkTime: 30,
        connectResult: 'SUCCESSFUL',
        checkPoint: undefined,
        operator: undefined,
        scenario: undefined,
      }),
    );
  });

  it('no contact (absent or null): no customer', async () => {
    expect((await get('/v1/calls/no-contact')).json()).toEqual(expected('no-contact', { customer: undefined }));
    expect((await get('/v1/calls/null-contact')).json()).toEqual(expected('null-contact', { customer: undefined }));
  });

  it('two sessions: operator and scenario of the first, checkPoint the last hit of the last', async () => {
    expect((await get('/v1/calls/two-sessions')).json()).toEqual(
      expected('two-sessions', {
        connectedDateTime: '2021-05-29T10:23:45+09:00',
        checkPoint: 'ノード2',
        operator: { operatorId: '101', name: 'ボットA' },
        scenario: { scenarioId: '1001' },
      }),
    );
  });

  it('note: the remark', async () => {
    expect((await get('/v1/calls/with-note')).json()).toEqual(expected('with-note', { note: '折り返し希望' }));
  });

  it.each([
    ['no-answer', 'NO_ANSWER'],
    ['absent', 'NO_ANSWER'],
    ['rejected', 'REJECTED'],
    ['failed', 'FAILED'],
    ['busy', 'BUSY'],
    ['not-connected', 'BUSY'],
    [SEED_CALL_ID, 'SUCCESSFUL'],
  ])('connectResult of %s is %s', async (callId, code) => {
    const body = (await get(`/v1/calls/${callId}`)).json();
    expect(body.connectResult).toBe(code);
    if (code !== 'SUCCESSFUL') expect(body).not.toHaveProperty('talkTime');
  });

  it('customer: name split, both numbers, created and updated when the contact was first and last stored', async () => {
    const customer = {
      customerId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      createdDateTime: '2026-01-02T12:04:05+09:00',
      updatedDateTime: '2026-01-05T09:00:00+09:00',
      familyName: '鈴木',
      personalName: '一郎',
    };
    const first = (await get('/v1/calls/contact-first')).json();
    const again = (await get('/v1/calls/contact-again')).json();
    expect(first.customer).toEqual({ ...customer, phoneNumbers: ['08055556666', '0330001234'] });
    expect(again.customer).toEqual({ ...customer, phoneNumbers: ['08055556666', '18770915633'] });
    expect(first.customer.customerId).toBe(again.customer.customerId);
    expect(first.customer.customerId).not.toBe(SEED_CUSTOMER.customerId);
  });

  it("callDateTime is in the tenant's own timezone", async () => {
    const newYork = await pipeline.createTenant({ timezone: 'America/New_York' });
    await ingest(pipeline, newYork, [callback({})]);
    const body = (await get(`/v1/calls/${SEED_CALL_ID}`, commuboHeaders(newYork))).json();
    expect(body.callDateTime).toBe('2021-05-29T10:23:43-04:00');
    expect(body.connectedDateTime).toBe('2021-05-29T10:23:43-04:00');
    expect(body.customer.createdDateTime).toBe('2026-01-04T19:00:00-05:00');
  });

  it('404 with a JSON body for a call that does not exist', async () => {
    const response = await get('/v1/calls/no-such-call');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'CALL_NOT_FOUND', message: 'no call no-such-call for this tenant' } });
  });

  // Regression: ids the ingress accepted (spaces, kana, slashes) were once refused here with 400.
  it('finds a call whose id has any characters, by its URL-encoded form, on every single-call route', async () => {
    const callId = 'call id/あ?#%';
    for (const suffix of ['', '/conversations', '/raw']) {
      const response = await get(`/v1/calls/${encodeURIComponent(callId)}${suffix}`);
      expect(response.statusCode, suffix).toBe(200);
    }
    expect((await get(`/v1/calls/${encodeURIComponent(callId)}`)).json().callId).toBe(callId);
  });

  it('400 for a malformed callId, on every single-call route', async () => {
    for (const suffix of ['', '/conversations', '/raw']) {
      for (const callId of ['x'.repeat(129), '%00']) {
        const response = await get(`/v1/calls/${callId}${suffix}`);
        expect(response.statusCode, `${callId}${suffix}`).toBe(400);
        expect(response.json().error.code).toBe('INVALID_CALL_ID');
      }
    }
  });

  it('403 comes before 400: nothing is said about a request without valid credentials', async () => {
    const response = await get(`/v1/calls/${'x'.repeat(129)}`, {});
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'unknown tenant or wrong access token' } });
  });

  it('answers are private to the tenant for caches', async () => {
    expect((await get(`/v1/calls/${SEED_CALL_ID}`)).headers['cache-control']).toBe('private, no-cache');
  });

  it('an unknown route is a JSON 404', async () => {
    const response = await get('/v2/calls');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for GET /v2/calls' } });
  });
});
