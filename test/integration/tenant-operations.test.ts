import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { callback, commuboHeaders, ingest, startQueryTestPipeline } from '../fixtures/query-callbacks.ts';
import { cli, printed } from '../support/cli.ts';
import { eventually, postCallback, type TestPipeline } from '../support/pipeline.ts';

/**
 * What `npm run cli -- tenants rotate-token | disable | enable` does to the running services: the ingress
 * and the query service as production starts them, on the real database and broker, with
 * TENANT_CACHE_TTL_MS=0 (so "within the TTL" is "at once").
 */
const UNAUTHORIZED = { error: { code: 'UNAUTHORIZED', message: 'unknown tenant or wrong ingest token' } };
const FORBIDDEN = { error: { code: 'FORBIDDEN', message: 'unknown tenant or wrong access token' } };
const TENANT_DISABLED = { error: { code: 'TENANT_DISABLED', message: 'this tenant is disabled' } };
const NO_SUCH_CALL = { error: { code: 'CALL_NOT_FOUND', message: 'no call no-such-call for this tenant' } };

let pipeline: TestPipeline;
let callNumber = 0;

const tenantsCli = async (...args: string[]) => {
  const result = await cli({ DATABASE_URL: pipeline.db.url }, ['tenants', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return printed(result)[0] as Record<string, unknown>;
};
const rotate = async (tenantId: string, kind: 'ingest' | 'access', graceSeconds = '0') =>
  (await tenantsCli('rotate-token', tenantId, '--kind', kind, '--grace-seconds', graceSeconds)).token as string;

/** The ingress's answer to a callback sent with this ingest token: status and body. */
async function send(tenantId: string, ingestToken: string) {
  const response = await postCallback(pipeline, { tenantId, ingestToken }, callback({ callId: `operations-${++callNumber}` }));
  return { status: response.statusCode, body: response.json() as unknown };
}
const ACCEPTED = { status: 200, body: expect.objectContaining({ status: 'accepted' }) };

/** The query service's answer to a lookup with this access token (a call that does not exist: 404 once authenticated). */
async function look(tenantId: string, accessToken: string, callId = 'no-such-call') {
  const response = await pipeline.query.inject({
    method: 'GET',
    url: `/v1/calls/${callId}`,
    headers: commuboHeaders({ tenantId, accessToken }),
  });
  return { status: response.statusCode, body: response.json() as unknown };
}
const AUTHENTICATED = { status: 404, body: NO_SUCH_CALL };

beforeAll(async () => {
  pipeline = await startQueryTestPipeline();
});
afterAll(() => pipeline?.close());

describe('tenants rotate-token', () => {
  it('ingest, --grace-seconds 0: the new token is accepted at once and the old one refused like a wrong token', async () => {
    const tenant = await pipeline.createTenant();
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual(ACCEPTED);
    const token = await rotate(tenant.tenantId, 'ingest');
    expect(await send(tenant.tenantId, token)).toEqual(ACCEPTED);
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual({ status: 401, body: UNAUTHORIZED });
    // The access token is another kind: untouched.
    expect(await look(tenant.tenantId, tenant.accessToken)).toEqual(AUTHENTICATED);
  });

  it('access, --grace-seconds 0: the new token is accepted at once and the old one gets 403 FORBIDDEN', async () => {
    const tenant = await pipeline.createTenant();
    const token = await rotate(tenant.tenantId, 'access');
    expect(await look(tenant.tenantId, token)).toEqual(AUTHENTICATED);
    expect(await look(tenant.tenantId, tenant.accessToken)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual(ACCEPTED);
  });

  it('with a grace period both tokens work; a second rotation keeps only the token it replaced', async () => {
    const tenant = await pipeline.createTenant();
    const second = await rotate(tenant.tenantId, 'ingest', '3600');
    const secondAccess = await rotate(tenant.tenantId, 'access', '3600');
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual(ACCEPTED);
    expect(await send(tenant.tenantId, second)).toEqual(ACCEPTED);
    expect(await look(tenant.tenantId, tenant.accessToken)).toEqual(AUTHENTICATED);
    expect(await look(tenant.tenantId, secondAccess)).toEqual(AUTHENTICATED);

    const third = await rotate(tenant.tenantId, 'ingest', '3600');
    expect(await send(tenant.tenantId, third)).toEqual(ACCEPTED);
    expect(await send(tenant.tenantId, second)).toEqual(ACCEPTED);
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual({ status: 401, body: UNAUTHORIZED });

    // And a rotation without grace ends the running one.
    const fourth = await rotate(tenant.tenantId, 'ingest');
    expect(await send(tenant.tenantId, fourth)).toEqual(ACCEPTED);
    expect(await send(tenant.tenantId, third)).toEqual({ status: 401, body: UNAUTHORIZED });
    expect(await send(tenant.tenantId, second)).toEqual({ status: 401, body: UNAUTHORIZED });
  });

  it('the old token stops when a short grace period ends, on both services', async () => {
    const tenant = await pipeline.createTenant();
    const ingestToken = await rotate(tenant.tenantId, 'ingest', '1');
    const accessToken = await rotate(tenant.tenantId, 'access', '1');
    await eventually(async () => ((await send(tenant.tenantId, tenant.ingestToken)).status === 401 ? true : undefined));
    await eventually(async () => ((await look(tenant.tenantId, tenant.accessToken)).status === 403 ? true : undefined));
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual({ status: 401, body: UNAUTHORIZED });
    expect(await look(tenant.tenantId, tenant.accessToken)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await send(tenant.tenantId, ingestToken)).toEqual(ACCEPTED);
    expect(await look(tenant.tenantId, accessToken)).toEqual(AUTHENTICATED);
  });

  it('the grace period ends exactly at the printed time, whatever the cache holds', async () => {
    const tenant = await pipeline.createTenant();
    const rotated = await tenantsCli('rotate-token', tenant.tenantId, '--kind', 'access', '--grace-seconds', '600');
    const validUntil = Date.parse(rotated.previousTokenValidUntil as string);
    let clock = validUntil - 1;
    // The production authenticator on the stored tenant, with a clock, and a cache that outlives the period.
    const authenticator = createTenantAuthenticator(createTenantRepository(pipeline.db.pool), 60 * 60_000, () => clock);
    expect(await authenticator.authenticate(tenant.tenantId, tenant.accessToken, 'access')).toMatchObject({ outcome: 'authenticated' });
    clock = validUntil;
    expect(await authenticator.authenticate(tenant.tenantId, tenant.accessToken, 'access')).toEqual({ outcome: 'refused' });
    expect(await authenticator.authenticate(tenant.tenantId, rotated.token, 'access')).toMatchObject({ outcome: 'authenticated' });
    // The previous access token was never an ingest token.
    clock = validUntil - 1;
    expect(await authenticator.authenticate(tenant.tenantId, tenant.accessToken, 'ingest')).toEqual({ outcome: 'refused' });
  });
});

describe('tenants disable and enable', () => {
  let tenant: CreatedTenant;
  let other: CreatedTenant;
  const CALL_ID = 'kept-while-disabled';
  let storedCall: unknown;

  beforeAll(async () => {
    tenant = await pipeline.createTenant({ name: 'switched' });
    other = await pipeline.createTenant({ name: 'bystander' });
    await pipeline.startConsumer();
    await ingest(pipeline, tenant, [callback({ callId: CALL_ID })]);
    const found = await look(tenant.tenantId, tenant.accessToken, CALL_ID);
    expect(found.status).toBe(200);
    storedCall = found.body;
  });

  const storedRows = async () =>
    (await pipeline.db.pool.query('select call_id from calls where tenant_id = $1 order by call_id', [tenant.tenantId])).rows;

  it('disabled: senders get the wrong-token 401, API clients 403 TENANT_DISABLED; enabled again: both work, the data kept', async () => {
    const before = await storedRows();
    expect(before).toEqual([{ call_id: CALL_ID }]);

    expect(await tenantsCli('disable', tenant.tenantId)).toMatchObject({ tenantId: tenant.tenantId, status: 'disabled' });
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual({ status: 401, body: UNAUTHORIZED });
    expect(await look(tenant.tenantId, tenant.accessToken, CALL_ID)).toEqual({ status: 403, body: TENANT_DISABLED });
    for (const route of ['/v1/calls?start=2021-05-29&end=2021-05-29', `/v1/calls/${CALL_ID}/conversations`, `/v1/calls/${CALL_ID}/raw`]) {
      const response = await pipeline.query.inject({ method: 'GET', url: route, headers: commuboHeaders(tenant) });
      expect({ status: response.statusCode, body: response.json() as unknown }).toEqual({ status: 403, body: TENANT_DISABLED });
    }
    // Without the right token nothing says the tenant is disabled.
    expect(await send(tenant.tenantId, 'wrong-token')).toEqual({ status: 401, body: UNAUTHORIZED });
    expect(await look(tenant.tenantId, 'wrong-token', CALL_ID)).toEqual({ status: 403, body: FORBIDDEN });
    expect(await look(tenant.tenantId, tenant.ingestToken, CALL_ID)).toEqual({ status: 403, body: FORBIDDEN });
    // Another tenant goes on as before, and the disabled tenant's rows stay.
    expect(await send(other.tenantId, other.ingestToken)).toEqual(ACCEPTED);
    expect(await look(other.tenantId, other.accessToken)).toEqual(AUTHENTICATED);
    expect(await storedRows()).toEqual(before);

    expect(await tenantsCli('enable', tenant.tenantId)).toMatchObject({ tenantId: tenant.tenantId, status: 'active' });
    expect(await look(tenant.tenantId, tenant.accessToken, CALL_ID)).toEqual({ status: 200, body: storedCall });
    expect(await send(tenant.tenantId, tenant.ingestToken)).toEqual(ACCEPTED);
  });

  it('a token in its grace period of a disabled tenant gets the same answers as the current one', async () => {
    const current = await rotate(tenant.tenantId, 'access', '3600');
    await tenantsCli('disable', tenant.tenantId);
    expect(await look(tenant.tenantId, current, CALL_ID)).toEqual({ status: 403, body: TENANT_DISABLED });
    expect(await look(tenant.tenantId, tenant.accessToken, CALL_ID)).toEqual({ status: 403, body: TENANT_DISABLED });
    await tenantsCli('enable', tenant.tenantId);
    // The call as stored; its customer may by now also count the call sent after the first enable.
    const found = await look(tenant.tenantId, current, CALL_ID);
    expect(found).toEqual({ status: 200, body: expect.objectContaining({ callId: CALL_ID }) });
  });
});
