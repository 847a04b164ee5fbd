import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildQueryServer } from '../../services/query/app.ts';
import { createCallsRepository } from '../../services/query/calls-repository.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository, type CreatedTenant, type TenantRepository } from '../../shared/tenants/repository.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import { callback, commuboHeaders, ingest, instance, line, startQueryTestPipeline } from '../fixtures/query-callbacks.ts';

/**
 * Tenant isolation on every query route, and the promise that the answer to an unknown tenant (403)
 * says nothing a wrong token would not: same answer, same work (one lookup, cached the same way, one hash
 * compared in constant time against a dummy).
 */
const SHARED_CALL_ID = 'same-call-id-in-both-tenants';
const FORBIDDEN = { error: { code: 'FORBIDDEN', message: 'unknown tenant or wrong access token' } };

describe('tenant isolation and authentication', () => {
  let pipeline: TestPipeline;
  let a: CreatedTenant;
  let b: CreatedTenant;
  const get = (url: string, headers: Record<string, string>) => pipeline.query.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    pipeline = await startQueryTestPipeline();
    a = await pipeline.createTenant({ name: 'tenant A' });
    b = await pipeline.createTenant({ name: 'tenant B' });
    await pipeline.startConsumer();
    await ingest(pipeline, a, [callback({ callId: SHARED_CALL_ID, remark: 'A のメモ' })]);
    await ingest(pipeline, b, [
      callback({
        callId: SHARED_CALL_ID,
        remark: 'B のメモ',
        workflow: 1,
        callStartTime: '2021-05-29 11:00:00',
        callEndTime: '2021-05-29 11:00:20',
        instances: [instance(9, 90, 'ボットB', [line(1, '2021-05-29 11:00:01', 'B です')])],
      }),
      callback({ callId: 'only-in-b' }),
    ]);
  });
  afterAll(() => pipeline?.close());

  it('two tenants with the same callId each see only their own call, on every route', async () => {
    const ofA = (await get(`/v1/calls/${SHARED_CALL_ID}`, commuboHeaders(a))).json();
    const ofB = (await get(`/v1/calls/${SHARED_CALL_ID}`, commuboHeaders(b))).json();
    expect(ofA).toMatchObject({ callId: SHARED_CALL_ID, note: 'A のメモ', callType: 2, callDateTime: '2021-05-29T10:23:43+09:00' });
    expect(ofB).toMatchObject({ callId: SHARED_CALL_ID, note: 'B のメモ', callType: 0, callDateTime: '2021-05-29T11:00:00+09:00' });
    expect(ofA.customer.customerId).not.toBe(ofB.customer.customerId);

    const conversationOfB = (await get(`/v1/calls/${SHARED_CALL_ID}/conversations`, commuboHeaders(b))).json();
    expect(conversationOfB.map((message: { message: string }) => message.message)).toEqual(['B です']);
    const conversationOfA = (await get(`/v1/calls/${SHARED_CALL_ID}/conversations`, commuboHeaders(a))).json();
    expect(conversationOfA).toHaveLength(3);

    expect((await get(`/v1/calls/${SHARED_CALL_ID}/raw`, commuboHeaders(a))).json().remark).toBe('A のメモ');
    expect((await get(`/v1/calls/${SHARED_CALL_ID}/raw`, commuboHeaders(b))).json().remark).toBe('B のメモ');

    const listOfA = (await get('/v1/calls?start=2021-05-29&end=2021-05-29&expand=all', commuboHeaders(a))).json();
    expect(listOfA).toEqual([ofA]);
  });

  it("another tenant's call is 404, exactly like a call that does not exist", async () => {
    for (const suffix of ['', '/conversations', '/raw']) {
      const response = await get(`/v1/calls/only-in-b${suffix}`, commuboHeaders(a));
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'CALL_NOT_FOUND', message: 'no call only-in-b for this tenant' } });
    }
  });

  it('403 for a wrong token, a token of another tenant or kind, a missing header and an unknown tenant, all alike', async () => {
    const url = `/v1/calls/${SHARED_CALL_ID}`;
    const attempts: Record<string, Record<string, string>> = {
      'wrong token': { 'x-commubo-tenantId': a.tenantId, 'x-commubo-accessToken': 'not-the-token' },
      "B's token for A": { 'x-commubo-tenantId': a.tenantId, 'x-commubo-accessToken': b.accessToken },
      'ingest token': { 'x-commubo-tenantId': a.tenantId, 'x-commubo-accessToken': a.ingestToken },
      'no token': { 'x-commubo-tenantId': a.tenantId },
      'no tenant': { 'x-commubo-accessToken': a.accessToken },
      'no headers': {},
      'unknown tenant': { 'x-commubo-tenantId': '00000000-0000-4000-8000-000000000000', 'x-commubo-accessToken': a.accessToken },
      'not a tenant id': { 'x-commubo-tenantId': 'acme', 'x-commubo-accessToken': a.accessToken },
    };
    const answers = [];
    for (const [name, headers] of Object.entries(attempts)) {
      for (const route of [url, `${url}/conversations`, `${url}/raw`, '/v1/calls?start=2021-05-29&end=2021-05-29']) {
        const response = await get(route, headers);
        expect(response.statusCode, `${name} ${route}`).toBe(403);
        expect(response.json()).toEqual(FORBIDDEN);
        const { date: _date, ...headersWithoutDate } = response.headers;
        answers.push({ headers: headersWithoutDate, body: response.body });
      }
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
  });

  it('the tenant id header is case-insensitive, as commubo prints it upper-case', async () => {
    const response = await get(`/v1/calls/${SHARED_CALL_ID}`, commuboHeaders({ ...a, tenantId: a.tenantId.toUpperCase() }));
    expect(response.statusCode).toBe(200);
    expect(response.json().note).toBe('A のメモ');
  });

  describe('an unknown tenant costs the same work as a wrong token', () => {
    afterEach(() => {
      vi.restoreAllMocks();
      syncBuiltinESMExports();
    });

    it('one lookup, cached for the TTL and looked up again after it, one hash, two constant-time compares of 32 bytes; a refused token a second after the lookup is checked once more against a fresh read, for both alike', async () => {
      const repository = createTenantRepository(pipeline.db.pool);
      const lookups: string[] = [];
      const counting: TenantRepository = { ...repository, find: (tenantId) => (lookups.push(tenantId), repository.find(tenantId)) };
      let now = 1_000_000;
      const server = buildQueryServer(
        {
          tenants: createTenantAuthenticator(counting, 60_000, () => now),
          calls: createCallsRepository(pipeline.db.pool),
          readiness: { postgres: async () => true },
        },
        { logger: false, registry: createMetricsRegistry('query') },
      );
      // tokens.ts uses node:crypto's named exports; syncing makes them the spies.
      const hash = vi.spyOn(crypto, 'createHash');
      const compare = vi.spyOn(crypto, 'timingSafeEqual');
      syncBuiltinESMExports();

      const workFor = async (tenantId: string) => {
        const work = [];
        for (const advance of [0, 500, 500, 60_001]) {
          now += advance;
          lookups.length = 0;
          hash.mockClear();
          compare.mockClear();
          const response = await server.inject({
            method: 'GET',
            url: `/v1/calls/${SHARED_CALL_ID}`,
            headers: { 'x-commubo-tenantId': tenantId, 'x-commubo-accessToken': 'a-wrong-token' },
          });
          work.push({
            status: response.statusCode,
            body: response.body,
            lookups: lookups.length,
            hashes: hash.mock.calls.map(([algorithm]) => algorithm),
            compares: compare.mock.calls.map(([x, y]) => [(x as Buffer).length, (y as Buffer).length]),
          });
        }
        return work;
      };

      const wrongToken = await workFor(a.tenantId);
      const unknownTenant = await workFor('11111111-2222-4333-8444-555555555555');
      // Two compares: the current token and the slot of a rotated one in its grace period, empty or not.
      const compares = [
        [32, 32],
        [32, 32],
      ];
      expect(wrongToken).toEqual([
        { status: 403, body: JSON.stringify(FORBIDDEN), lookups: 1, hashes: ['sha256'], compares },
        { status: 403, body: JSON.stringify(FORBIDDEN), lookups: 0, hashes: ['sha256'], compares },
        // A second after the lookup: read again, in case the token was rotated a moment ago (it works at once).
        { status: 403, body: JSON.stringify(FORBIDDEN), lookups: 1, hashes: ['sha256', 'sha256'], compares: [...compares, ...compares] },
        { status: 403, body: JSON.stringify(FORBIDDEN), lookups: 1, hashes: ['sha256'], compares },
      ]);
      expect(unknownTenant).toEqual(wrongToken);
      await server.close();
    });
  });
});
