import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import { seedCallback } from '../../kit/callbacks.ts';
import { uniqueName } from '../../kit/topics.ts';
import { eventually, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * Security across every endpoint: no tenant sees another's data (ingress and query), and the refusals
 * (401 at the ingress, 403 at the query service) are byte for byte the same whether the tenant exists or not.
 */
let pipeline: TestPipeline;
let a: CreatedTenant;
let b: CreatedTenant;
const shared = uniqueName('shared-call');
const onlyA = uniqueName('only-a');

beforeAll(async () => {
  pipeline = await startTestPipeline();
  [a, b] = [await pipeline.createTenant(), await pipeline.createTenant()];
  await pipeline.startConsumer(uniqueName('security-group'));
  for (const [tenant, callId, remark] of [
    [a, shared, 'of A'],
    [b, shared, 'of B'],
    [a, onlyA, 'of A'],
  ] as const) {
    const response = await ingest(tenant.tenantId, tenant.ingestToken, { ...seedCallback(), callId, remark });
    expect(response.statusCode).toBe(200);
  }
  await eventually(async () => {
    const { rows } = await pipeline.db.pool.query('select count(*)::int as n from calls');
    return rows[0].n === 3 || undefined;
  }, 30_000);
});

afterAll(async () => {
  await pipeline?.close();
});

function ingest(tenantId: string, token: string, body: object) {
  return pipeline.ingress.inject({
    method: 'POST',
    url: `/v1/tenants/${tenantId}/call-records`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}
const query = (url: string, tenantId: string, token: string) =>
  pipeline.query.inject({ method: 'GET', url, headers: { 'x-commubo-tenantId': tenantId, 'x-commubo-accessToken': token } });
const answer = (response: { statusCode: number; body: string }) => ({ status: response.statusCode, body: response.body });

const CALL_ROUTES = (callId: string) => [`/v1/calls/${callId}`, `/v1/calls/${callId}/conversations`, `/v1/calls/${callId}/raw`];
const LIST = '/v1/calls?start=2021-05-01&end=2021-05-31';

describe('tenant isolation', () => {
  it("answers a tenant's call to another tenant exactly like a call that does not exist, on every call route", async () => {
    const missing = uniqueName('missing');
    const missingRoutes = CALL_ROUTES(missing);
    for (const [index, route] of CALL_ROUTES(onlyA).entries()) {
      const missingRoute = missingRoutes[index]!;
      const foreign = await query(route, b.tenantId, b.accessToken);
      const absent = await query(missingRoute, b.tenantId, b.accessToken);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.body.replace(onlyA, 'ID')).toBe(absent.body.replace(missing, 'ID'));
      expect((await query(route, a.tenantId, a.accessToken)).statusCode).toBe(200);
    }
  });

  it('gives each tenant its own call under a shared call id, and lists only its own calls', async () => {
    for (const [tenant, remark] of [
      [a, 'of A'],
      [b, 'of B'],
    ] as const) {
      const raw = await query(`/v1/calls/${shared}/raw`, tenant.tenantId, tenant.accessToken);
      expect(raw.json()).toMatchObject({ callId: shared, remark });
      const list = await query(LIST, tenant.tenantId, tenant.accessToken);
      expect(list.statusCode).toBe(200);
      const ids = (list.json() as { callId: string }[]).map((call) => call.callId).sort();
      expect(ids).toEqual(tenant === a ? [onlyA, shared].sort() : [shared]);
    }
  });

  it("refuses one tenant's ingest token on another tenant's path (401), and stores nothing", async () => {
    const callId = uniqueName('smuggled');
    const response = await ingest(a.tenantId, b.ingestToken, { ...seedCallback(), callId });
    expect(response.statusCode).toBe(401);
  });
});

describe('refusals that do not depend on whether the tenant exists', () => {
  it("ingress: the same 401 for an unknown tenant, a wrong token, another tenant's token, an access token and a malformed id", async () => {
    const body = { ...seedCallback(), callId: uniqueName('refused') };
    const answers = [
      answer(await ingest(randomUUID(), a.ingestToken, body)),
      answer(await ingest(a.tenantId, 'wrong-token', body)),
      answer(await ingest(a.tenantId, b.ingestToken, body)),
      answer(await ingest(a.tenantId, a.accessToken, body)),
      answer(await ingest('not-a-uuid', a.ingestToken, body)),
    ];
    expect(answers[0]!.status).toBe(401);
    for (const other of answers) expect(other).toEqual(answers[0]);
  });

  it.each([...CALL_ROUTES(shared), LIST])(
    "query %s: the same 403 for an unknown tenant, a wrong token, another tenant's token and an ingest token",
    async (route) => {
      const answers = [
        answer(await query(route, randomUUID(), a.accessToken)),
        answer(await query(route, a.tenantId, 'wrong-token')),
        answer(await query(route, a.tenantId, b.accessToken)),
        answer(await query(route, a.tenantId, a.ingestToken)),
        answer(await query(route, 'not-a-uuid', a.accessToken)),
      ];
      expect(answers[0]!.status).toBe(403);
      for (const other of answers) expect(other).toEqual(answers[0]);
    },
  );
});

// Regression: `?token=a&token=b` reached the token hash as an array, threw a TypeError and was answered 503
// TENANT_LOOKUP_UNAVAILABLE (with a stack in the log) instead of the 401 of any bad credentials.
describe('credentials that are not one string are bad credentials, never a failed lookup', () => {
  const post = (url: string, headers: Record<string, string | string[]> = {}) =>
    pipeline.ingress.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify({ ...seedCallback(), callId: uniqueName('repeated') }),
    });
  const UNAUTHORIZED = {
    status: 401,
    body: JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'unknown tenant or wrong ingest token' } }),
  };

  it.each([
    ['a repeated ?token on a malformed tenant id', () => post('/v1/tenants/not-a-uuid/call-records?token=a&token=b')],
    [
      'a repeated ?token (the right one twice)',
      () => post(`/v1/tenants/${a.tenantId}/call-records?token=${a.ingestToken}&token=${a.ingestToken}`),
    ],
    ['a repeated ?token on an unknown tenant', () => post(`/v1/tenants/${randomUUID()}/call-records?token=a&token=b`)],
    [
      'a repeated x-callstream-token header',
      () => post(`/v1/tenants/${a.tenantId}/call-records`, { 'x-callstream-token': [a.ingestToken, a.ingestToken] }),
    ],
    [
      'a token in two places, the query one repeated',
      () => post(`/v1/tenants/${a.tenantId}/call-records?token=x&token=y`, { 'x-callstream-token': ['x', 'y'] }),
    ],
    ['a tenant id of 100 characters', () => post(`/v1/tenants/${'a'.repeat(100)}/call-records?token=a&token=b`)],
  ])('ingress: %s is the plain 401', async (_name, send) => {
    expect(answer(await send())).toEqual(UNAUTHORIZED);
  });

  const FORBIDDEN = {
    status: 403,
    body: JSON.stringify({ error: { code: 'FORBIDDEN', message: 'unknown tenant or wrong access token' } }),
  };
  const lookUp = (headers: Record<string, string | string[]>) =>
    pipeline.query.inject({ method: 'GET', url: `/v1/calls/${shared}`, headers });

  it.each([
    [
      'a repeated access token header',
      () => ({ 'x-commubo-tenantId': a.tenantId, 'x-commubo-accessToken': [a.accessToken, a.accessToken] }),
    ],
    ['a repeated tenant id header', () => ({ 'x-commubo-tenantId': [a.tenantId, a.tenantId], 'x-commubo-accessToken': a.accessToken })],
    ['both repeated', () => ({ 'x-commubo-tenantId': [a.tenantId, b.tenantId], 'x-commubo-accessToken': [a.accessToken, b.accessToken] })],
    ['a malformed tenant id with a repeated token', () => ({ 'x-commubo-tenantId': 'not-a-uuid', 'x-commubo-accessToken': ['x', 'y'] })],
  ])('query: %s is the plain 403', async (_name, headers) => {
    expect(answer(await lookUp(headers()))).toEqual(FORBIDDEN);
  });
});
