import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { processBatch } from '../../services/consumer/batch-processor.ts';
import { createEnvelope } from '../../shared/callback/envelope.ts';
import { parseCallback } from '../../shared/callback/schema.ts';
import { buildQueryServer } from '../../services/query/app.ts';
import { createCallsRepository } from '../../services/query/calls-repository.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { startTcpProxy, type TcpProxy } from '../../kit/tcp-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { SEED_CALL_ID, callback, commuboHeaders } from '../fixtures/query-callbacks.ts';

/**
 * Server-side failures: Postgres unreachable (a TCP proxy the test cuts and restores) is 503 with
 * Retry-After; a schema that drifted from what the service reads is 500. Neither says why. The call is
 * stored by the consumer's own batch processor (Kafka adds nothing to what is tested here).
 */
const LEAKS = /ECONN|127\.0\.0\.1|5432|postgres|relation|column|select|zod|stack|Error:/i;

describe('server-side failures', () => {
  let db: TestDatabase;
  let tenant: CreatedTenant;
  let proxy: TcpProxy;
  let proxied: Pool;
  let server: ReturnType<typeof buildQueryServer>;
  const get = (url: string) => server.inject({ method: 'GET', url, headers: commuboHeaders(tenant) });

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    db.pool.on('error', () => undefined); // see startQueryTestPipeline: a teardown race, not a test failure
    tenant = await createTenantRepository(db.pool).create({ name: 'errors', timezone: 'Asia/Tokyo' });
    const parsed = parseCallback(callback({}));
    if (!parsed.ok) throw new Error('the seed callback does not parse');
    const envelope = createEnvelope(tenant.tenantId, parsed.callback, randomUUID(), new Date());
    const stored = await processBatch(db.pool, async () => 'Asia/Tokyo', [
      { partition: 0, offset: '0', value: Buffer.from(JSON.stringify(envelope)) },
    ]);
    expect(stored.written).toBe(1);
    const url = new URL(db.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    proxied = createPool(url.toString(), 2, 'callstream-query-proxied');
    proxied.on('error', () => undefined); // idle connections die with the proxy; the pool replaces them
    server = buildQueryServer(
      {
        tenants: createTenantAuthenticator(createTenantRepository(proxied), 60_000),
        calls: createCallsRepository(proxied),
        readiness: { postgres: async () => (await proxied.query('select 1')).rowCount === 1 },
        retryAfterSeconds: 7,
      },
      { logger: false, registry: createMetricsRegistry('query') },
    );
  });
  afterAll(async () => {
    await server?.close();
    await proxied?.end();
    await proxy?.close();
    await db?.drop();
  });

  it('503 with Retry-After while Postgres cannot be reached, and answers again once it can', async () => {
    expect((await get(`/v1/calls/${SEED_CALL_ID}`)).statusCode).toBe(200);
    proxy.cut();

    for (const url of [
      `/v1/calls/${SEED_CALL_ID}`,
      `/v1/calls/${SEED_CALL_ID}/conversations`,
      `/v1/calls/${SEED_CALL_ID}/raw`,
      '/v1/calls?start=2021-05-29&end=2021-05-29',
      '/v1/calls?start=2021-05-29&end=2021-05-29&limit=10',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(503);
      expect(response.headers['retry-after']).toBe('7');
      expect(response.json()).toEqual({
        error: { code: 'DATABASE_UNAVAILABLE', message: 'the call history cannot be read right now; retry later' },
      });
    }
    const notReady = await server.inject({ method: 'GET', url: '/readyz' });
    expect({ status: notReady.statusCode, body: notReady.json() }).toEqual({
      status: 503,
      body: { status: 'not ready', checks: { postgres: 'failed' } },
    });

    proxy.restore();
    const again = await get(`/v1/calls/${SEED_CALL_ID}`);
    expect(again.statusCode).toBe(200);
    expect(again.json().callId).toBe(SEED_CALL_ID);
    const ready = await server.inject({ method: 'GET', url: '/readyz' });
    expect({ status: ready.statusCode, body: ready.json() }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { postgres: 'ok' } },
    });
  });

  it('a stored value that no longer matches what the service reads is a 500 that says nothing of it', async () => {
    // The analytics views read this column too; drift here means someone changed the table under them all.
    await db.pool.query('drop view analytics_calls cascade');
    await db.pool.query('alter table calls alter column call_duration type text using call_duration::text');
    for (const url of [
      `/v1/calls/${SEED_CALL_ID}`,
      '/v1/calls?start=2021-05-29&end=2021-05-29',
      '/v1/calls?start=2021-05-29&end=2021-05-29&limit=5',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(500);
      expect(response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    }
  });

  it('a query that fails in Postgres is a 500 that says nothing of it', async () => {
    await db.pool.query('alter table dialogue_lines rename column match_name to node_name');
    await db.pool.query('alter table calls rename column check_point to node_name');
    for (const url of [`/v1/calls/${SEED_CALL_ID}/conversations`, `/v1/calls/${SEED_CALL_ID}`]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(500);
      expect(response.body).not.toMatch(LEAKS);
      expect(response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    }
  });
});

/**
 * Input that passes for well-formed but that Postgres cannot take (U+0000, a year-0 timestamp, numbers
 * past bigint, …) is the client's mistake: a 400 naming the parameter, decided by the parameter schemas
 * before any query runs, and logged below error level. Values at the very edge of what is accepted get a
 * correct answer instead. The calls are stored by the consumer's batch processor, as above.
 */
describe('input Postgres cannot take', () => {
  const RANGE = '/v1/calls?start=2021-05-29&end=2021-05-29';
  const levels: number[] = [];
  let db: TestDatabase;
  let tenant: CreatedTenant;
  let server: ReturnType<typeof buildQueryServer>;
  const get = (url: string, who: CreatedTenant = tenant) => server.inject({ method: 'GET', url, headers: commuboHeaders(who) });
  const ids = async (url: string, who?: CreatedTenant) => {
    const response = await get(url, who);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().map((call: { callId: string }) => call.callId);
  };
  const cursor = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
  const position = (t: string, c: string) => cursor(JSON.stringify({ t, c }));

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    db.pool.on('error', () => undefined);
    tenant = await createTenantRepository(db.pool).create({ name: 'hostile-params', timezone: 'Asia/Tokyo' });
    const at = (callId: string, time: string, overrides: Record<string, unknown> = {}) =>
      callback({ callId, callStartTime: `2021-05-29 ${time}`, callEndTime: `2021-05-29 ${time}`, ...overrides });
    const records = [
      callback({}),
      at('long-phone', '11:00:00', { customerNumber: '9'.repeat(256) }),
      at('percent-1', '12:00:00', { customerNumber: '%FF' }),
      at('percent-2', '12:00:01', { customerNumber: '%FF' }),
      at('max-campaign', '13:00:00', { adTaskId: Number.MAX_SAFE_INTEGER }),
      at('zero-campaign', '13:30:00', { adTaskId: 0 }),
    ].map((body, offset) => {
      const parsed = parseCallback(body);
      if (!parsed.ok) throw new Error(`callback ${offset} does not parse`);
      const envelope = createEnvelope(tenant.tenantId, parsed.callback, randomUUID(), new Date());
      return { partition: 0, offset: String(offset), value: Buffer.from(JSON.stringify(envelope)) };
    });
    expect((await processBatch(db.pool, async () => 'Asia/Tokyo', records)).written).toBe(records.length);
    server = buildQueryServer(
      {
        tenants: createTenantAuthenticator(createTenantRepository(db.pool), 60_000),
        calls: createCallsRepository(db.pool),
        readiness: { postgres: async () => true },
      },
      {
        // Only the levels are kept: what is asserted is that a client's mistake never logs at error level.
        logger: { level: 'info', stream: { write: (line: string) => void levels.push(JSON.parse(line).level) } },
        registry: createMetricsRegistry('query'),
      },
    );
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const ERROR_LEVEL = 50;
  const DAY_BOUNDS = 'must be between 1900-01-01 and 9998-12-31';
  const NOT_A_CURSOR = 'cursor: is not a cursor this service issued';
  const NOT_STORABLE = 'must not contain U+0000 or lone surrogates';
  const LIMIT_INTEGER = 'limit: must be a positive integer';
  const CAMPAIGN_INTEGER = 'campaignId: must be a non-negative integer';
  const CAMPAIGN_MAX = 'campaignId: must be at most 9007199254740991';

  it.each([
    // text Postgres refuses
    [`${RANGE}&phoneNumber=%00`, 'INVALID_PHONE_NUMBER', `phoneNumber: ${NOT_STORABLE}`],
    [`${RANGE}&phoneNumber=0311%00110000`, 'INVALID_PHONE_NUMBER', `phoneNumber: ${NOT_STORABLE}`],
    [`${RANGE}&phoneNumber=${'9'.repeat(257)}`, 'INVALID_PHONE_NUMBER', 'phoneNumber: must be at most 256 characters'],
    [`${RANGE}&phoneNumber=1&phoneNumber=2`, 'INVALID_PHONE_NUMBER', 'phoneNumber: must be given once'],
    ['/v1/calls/%00', 'INVALID_CALL_ID', `callId: ${NOT_STORABLE}`],
    ['/v1/calls/a%00b/conversations', 'INVALID_CALL_ID', `callId: ${NOT_STORABLE}`],
    ['/v1/calls/a%00b/raw', 'INVALID_CALL_ID', `callId: ${NOT_STORABLE}`],
    // forged cursors: timestamps Postgres refuses, text it cannot hold, shapes this service never issues
    [`${RANGE}&cursor=${position('0000-01-01T00:00:00.000000Z', 'a')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${position('2021-05-29T01:23:43.000000Z', 'a\u0000b')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${cursor('{"t":"2021-05-29T01:23:43.000000Z","c":"\\ud800"}')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${position('2021-05-29T01:23:43.000000Z', '')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${position('2021-05-29T01:23:43.000000Z', 'a'.repeat(129))}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${position('2021-05-29T01:23:43.1234567Z', 'a')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${position('2021-05-29T01:23:43Z', 'a')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${position('2021-05-29T10:23:43.000000+09:00', 'a')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${position('2021-02-30T00:00:00.000000Z', 'a')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${cursor('not json')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${cursor('[1,2]')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${cursor('null')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${cursor('{"t":1,"c":"a"}')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${cursor('{"c":"a"}')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=${'A'.repeat(1025)}`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=a%00b`, 'INVALID_CURSOR', NOT_A_CURSOR],
    [`${RANGE}&cursor=abc&cursor=abd`, 'INVALID_CURSOR', 'cursor: must be given once'],
    // numbers in every spelling but the plain decimal one, and beyond what can be stored
    [`${RANGE}&limit=1e3`, 'INVALID_LIMIT', LIMIT_INTEGER],
    [`${RANGE}&limit=0x10`, 'INVALID_LIMIT', LIMIT_INTEGER],
    [`${RANGE}&limit=-1`, 'INVALID_LIMIT', LIMIT_INTEGER],
    [`${RANGE}&limit=1.5`, 'INVALID_LIMIT', LIMIT_INTEGER],
    [`${RANGE}&limit=%2B5`, 'INVALID_LIMIT', LIMIT_INTEGER],
    [`${RANGE}&limit=%205`, 'INVALID_LIMIT', LIMIT_INTEGER],
    [`${RANGE}&limit=`, 'INVALID_LIMIT', LIMIT_INTEGER],
    [`${RANGE}&limit=99999999999999999999999`, 'INVALID_LIMIT', 'limit: must be at most 1000'],
    [`${RANGE}&limit=1&limit=2`, 'INVALID_LIMIT', 'limit: must be given once'],
    [`${RANGE}&campaignId=9007199254740992`, 'INVALID_CAMPAIGN_ID', CAMPAIGN_MAX],
    [`${RANGE}&campaignId=99999999999999999999`, 'INVALID_CAMPAIGN_ID', CAMPAIGN_MAX],
    [`${RANGE}&campaignId=-1`, 'INVALID_CAMPAIGN_ID', CAMPAIGN_INTEGER],
    [`${RANGE}&campaignId=1e3`, 'INVALID_CAMPAIGN_ID', CAMPAIGN_INTEGER],
    [`${RANGE}&campaignId=0x10`, 'INVALID_CAMPAIGN_ID', CAMPAIGN_INTEGER],
    [`${RANGE}&campaignId=17.5`, 'INVALID_CAMPAIGN_ID', CAMPAIGN_INTEGER],
    [`${RANGE}&campaignId=1762&campaignId=1`, 'INVALID_CAMPAIGN_ID', 'campaignId: must be given once'],
    // days outside what every zone, Postgres and JavaScript agree on
    ['/v1/calls?start=0000-01-01&end=2021-05-29', 'INVALID_DATE', `start: ${DAY_BOUNDS}`],
    ['/v1/calls?start=0001-01-01&end=9999-12-31', 'INVALID_DATE', `start: ${DAY_BOUNDS}`],
    ['/v1/calls?start=2021-05-29&end=9999-12-31', 'INVALID_DATE', `end: ${DAY_BOUNDS}`],
    ['/v1/calls?start=2021-05-29&end=10000-01-01', 'INVALID_DATE', 'end: Invalid ISO date'],
    ['/v1/calls?start=2021-05-29%00&end=2021-05-29', 'INVALID_DATE', 'start: Invalid ISO date'],
    ['/v1/calls?start=2021-05-29&start=2021-05-30&end=2021-05-30', 'INVALID_DATE', 'start: must be given once'],
    ['/v1/calls?start=2021-05-29&end=2021-05-29&end=2021-05-30', 'INVALID_DATE', 'end: must be given once'],
    [`${RANGE}&expand=all&expand=none`, 'INVALID_EXPAND', 'expand: must be given once'],
    [`${RANGE}&connectResult=BUSY&connectResult=FAILED`, 'INVALID_CONNECT_RESULT', 'connectResult: must be given once'],
  ])('400 for %s: %s', async (url, code, message) => {
    levels.length = 0;
    const response = await get(url);
    expect(response.json()).toEqual({ error: { code, message } });
    expect(response.statusCode).toBe(400);
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.filter((level) => level >= ERROR_LEVEL)).toEqual([]);
  });

  const ALL = ['eff790c4-90a5-4453-990c-ff7d4aa30914', 'long-phone', 'percent-1', 'percent-2', 'max-campaign', 'zero-campaign'];

  it('the widest range of days is answered in zones 14 hours ahead of and 12 behind UTC', async () => {
    expect(await ids('/v1/calls?start=1900-01-01&end=9998-12-31')).toEqual(ALL);
    for (const timezone of ['Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Manila']) {
      const other = await createTenantRepository(db.pool).create({ name: timezone, timezone });
      expect(await ids('/v1/calls?start=1900-01-01&end=9998-12-31', other), timezone).toEqual([]);
    }
  });

  it('cursors at the first and last instant Postgres stores are answered', async () => {
    expect(await ids(`${RANGE}&cursor=${position('0001-01-01T00:00:00.000000Z', 'a')}`)).toEqual(ALL);
    expect(await ids(`${RANGE}&cursor=${position('9999-12-31T23:59:59.999999Z', 'a')}`)).toEqual([]);
  });

  it('filters on values as large as the ingress stores: a 256-character phone number, adTaskId 0 and 2^53 - 1', async () => {
    expect(await ids(`${RANGE}&phoneNumber=${'9'.repeat(256)}`)).toEqual(['long-phone']);
    expect(await ids(`${RANGE}&campaignId=0`)).toEqual(['zero-campaign']);
    expect(await ids(`${RANGE}&campaignId=9007199254740991`)).toEqual(['max-campaign']);
  });

  it('the next link keeps each parameter as it was sent, even one that is not valid percent-encoding', async () => {
    const first = await get(`${RANGE}&phoneNumber=%FF&limit=1&unknown=%E0%A4`);
    expect(first.statusCode).toBe(200);
    expect(first.json().map((call: { callId: string }) => call.callId)).toEqual(['percent-1']);
    const next = /^<([^>]+)>; rel="next"$/.exec(first.headers.link as string)![1]!;
    expect(next).toBe(`${RANGE}&phoneNumber=%FF&limit=1&unknown=%E0%A4&cursor=${position('2021-05-29T03:00:00.000000Z', 'percent-1')}`);
    expect(await ids(next)).toEqual(['percent-2']);
  });
});
