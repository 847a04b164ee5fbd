import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildQueryServer } from '../../services/query/app.ts';
import { createCallsRepository } from '../../services/query/calls-repository.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { rawRequest } from '../../kit/raw-http.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * The refusals Fastify and Node's HTTP parser make before any route runs answer in the documented shape
 * `{"error":{"code","message"}}` with a code of ours, on both services, through inject() and through a real
 * socket; neither the answer nor the log carries the URL's token or a header's value.
 */
const SECRET = 'framework-errors-secret-token';
const logLines: string[] = [];
const logger = () => ({ ...loggerOptions('debug', 'test'), stream: { write: (line: string) => void logLines.push(line) } });

let ingress: TestIngress;
let db: TestDatabase;
let pool: Pool;
let query: FastifyInstance;
const ports: Record<'ingress' | 'query', number> = { ingress: 0, query: 0 };

beforeAll(async () => {
  ingress = await startTestIngress({ logger: logger() });
  db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
  pool = createPool(db.url, 2, 'callstream-test-framework-errors');
  query = buildQueryServer(
    {
      tenants: createTenantAuthenticator(createTenantRepository(pool), 0),
      calls: createCallsRepository(pool),
      readiness: { postgres: async () => true },
    },
    { logger: logger(), registry: createMetricsRegistry('query') },
  );
  for (const [name, app] of [
    ['ingress', ingress.app],
    ['query', query],
  ] as const) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    ports[name] = (app.server.address() as { port: number }).port;
  }
});

afterAll(async () => {
  await query?.close();
  await pool?.end();
  await db?.drop();
  await ingress?.close();
});

const body = (code: string, message: string) => ({ error: { code, message } });
const BAD_URL = body('BAD_URL', 'the URL is malformed: it has an invalid percent-encoding');
const URL_TOO_LONG = body('URL_TOO_LONG', 'a segment of the URL path is too long');
const INVALID_JSON = body('INVALID_JSON', 'the body is not valid JSON');
const HEADERS_TOO_LARGE = body('HEADERS_TOO_LARGE', 'the request line and headers are larger than the server accepts');
const MALFORMED_REQUEST = body('MALFORMED_REQUEST', 'the request is not valid HTTP');

type Case = [string, { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }, number, object];
const injected = (): Array<['ingress' | 'query', ...Case]> => [
  ['ingress', '%ZZ in the path', { method: 'POST', url: `/v1/tenants/%ZZ/call-records?token=${SECRET}` }, 400, BAD_URL],
  [
    'ingress',
    'a tenant id over the router limit',
    { method: 'POST', url: `/v1/tenants/${'a'.repeat(101)}/call-records?token=${SECRET}` },
    414,
    URL_TOO_LONG,
  ],
  [
    'ingress',
    'invalid JSON to an unknown route',
    { method: 'POST', url: `/v1/nowhere?token=${SECRET}`, headers: { 'content-type': 'application/json' }, payload: `{"${SECRET}` },
    400,
    INVALID_JSON,
  ],
  ['query', '%ZZ in the path', { method: 'GET', url: `/v1/calls/%ZZ?accessToken=${SECRET}` }, 400, BAD_URL],
  [
    'query',
    'a call id over the router limit',
    { method: 'GET', url: `/v1/calls/${'a'.repeat(1025)}?accessToken=${SECRET}` },
    414,
    URL_TOO_LONG,
  ],
  [
    'query',
    'invalid JSON to an unknown route',
    { method: 'POST', url: `/v1/calls/x?accessToken=${SECRET}`, headers: { 'content-type': 'application/json' }, payload: `{"${SECRET}` },
    400,
    INVALID_JSON,
  ],
];

const socketCases: Array<[string, (path: string) => string, string, object]> = [
  [
    'headers of 64 KiB',
    (path) => `GET ${path}?token=${SECRET} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${SECRET}${'x'.repeat(64 * 1024)}\r\n\r\n`,
    'HTTP/1.1 431 Request Header Fields Too Large',
    HEADERS_TOO_LARGE,
  ],
  [
    'a URL of 20 KiB',
    (path) => `GET ${path}?token=${SECRET}&pad=${'x'.repeat(20 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    'HTTP/1.1 431 Request Header Fields Too Large',
    HEADERS_TOO_LARGE,
  ],
  [
    'a header line that is not a header',
    (path) => `GET ${path}?token=${SECRET} HTTP/1.1\r\nHost: 127.0.0.1\r\nnot a header ${SECRET}\r\n\r\n`,
    'HTTP/1.1 400 Bad Request',
    MALFORMED_REQUEST,
  ],
  ['bytes that are not HTTP', () => `\u0001\u0002 ${SECRET}\r\n\r\n`, 'HTTP/1.1 400 Bad Request', MALFORMED_REQUEST],
];

describe('framework errors in the documented shape', () => {
  it.each(injected())('%s: %s', async (service, _name, request, status, expected) => {
    const app = service === 'ingress' ? ingress.app : query;
    const response = await app.inject(request);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual(expected);
  });

  it.each(
    socketCases.flatMap(([name, request, statusLine, expected]) => [
      ['ingress', name, request, statusLine, expected] as const,
      ['query', name, request, statusLine, expected] as const,
    ]),
  )('%s, on a socket: %s', async (service, _name, request, statusLine, expected) => {
    const path = service === 'ingress' ? `/v1/tenants/${ingress.tenant.tenantId}/call-records` : '/v1/calls/x';
    const answer = await rawRequest(ports[service], request(path));
    expect(answer.statusLine).toBe(statusLine);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toEqual(expected);
  });

  it('logged those requests with their token redacted, and never the token or a header value', async () => {
    const logs = logLines.join('');
    expect(logs).toContain('/v1/tenants/%ZZ/call-records?token=[REDACTED]');
    expect(logs).toContain('/v1/calls/%ZZ?accessToken=[REDACTED]');
    expect(logs).toContain('"code":"HPE_HEADER_OVERFLOW"');
    expect(logs).not.toContain(SECRET);
  });

  it('still answers both services normally afterwards', async () => {
    expect((await fetch(`http://127.0.0.1:${ports.ingress}/healthz`)).status).toBe(200);
    const answer = await fetch(`http://127.0.0.1:${ports.query}/v1/calls/x`);
    expect(answer.status).toBe(403);
    expect(await answer.json()).toEqual(body('FORBIDDEN', 'unknown tenant or wrong access token'));
  });
});
