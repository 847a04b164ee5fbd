import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
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
import { freePort } from '../support/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { SEED_CALL_ID, callback, commuboHeaders } from '../fixtures/query-callbacks.ts';

/**
 * Server-side failures: Postgres unreachable (a TCP proxy the test cuts and restores) is 503 with
 * Retry-After; a schema that drifted from what the service reads is 500. Neither says why. The call is
 * stored by the consumer's own batch processor (Kafka adds nothing to what is tested here).
 */
interface Proxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

async function startProxy(target: number): Promise<Proxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  await listen();
  return {
    port,
    async cut() {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server!.close(done));
    },
    restore: listen,
  };
}

const LEAKS = /ECONN|127\.0\.0\.1|5432|postgres|relation|column|select|zod|stack|Error:/i;

describe('server-side failures', () => {
  let db: TestDatabase;
  let tenant: CreatedTenant;
  let proxy: Proxy;
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
    proxy = await startProxy(5432);
    const url = new URL(db.url);
    url.port = String(proxy.port);
    proxied = createPool(url.toString(), 2, 'callstream-query-proxied');
    proxied.on('error', () => undefined); // idle connections die with the proxy; the pool replaces them
    server = buildQueryServer(
      {
        tenants: createTenantAuthenticator(createTenantRepository(proxied), 60_000),
        calls: createCallsRepository(proxied),
        isReady: async () => (await proxied.query('select 1')).rowCount === 1,
        retryAfterSeconds: 7,
      },
      { logger: false, registry: createMetricsRegistry('query') },
    );
  });
  afterAll(async () => {
    await server?.close();
    await proxied?.end();
    await db?.drop();
  });

  it('503 with Retry-After while Postgres cannot be reached, and answers again once it can', async () => {
    expect((await get(`/v1/calls/${SEED_CALL_ID}`)).statusCode).toBe(200);
    await proxy.cut();

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
    expect((await server.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);

    await proxy.restore();
    const again = await get(`/v1/calls/${SEED_CALL_ID}`);
    expect(again.statusCode).toBe(200);
    expect(again.json().callId).toBe(SEED_CALL_ID);
    expect((await server.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('a stored value that no longer matches what the service reads is a 500 that says nothing of it', async () => {
    // The analytics views read this column too; drift here means someone changed the table under them all.
    await db.pool.query('drop view analytics_calls cascade');
    await db.pool.query('alter table calls alter column call_duration type text using call_duration::text');
    for (const url of [`/v1/calls/${SEED_CALL_ID}`, '/v1/calls?start=2021-05-29&end=2021-05-29', '/v1/calls?start=2021-05-29&end=2021-05-29&limit=5']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(500);
      expect(response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    }
  });

  it('a query that fails in Postgres is a 500 that says nothing of it', async () => {
    await db.pool.query('alter table dialogue_lines rename column match_name to node_name');
    for (const url of [`/v1/calls/${SEED_CALL_ID}/conversations`, `/v1/calls/${SEED_CALL_ID}`]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(500);
      expect(response.body).not.toMatch(LEAKS);
      expect(response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    }
  });
});
