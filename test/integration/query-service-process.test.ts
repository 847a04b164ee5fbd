import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callHistorySchema } from '../../services/query/call-history-schema.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import { SEED_CALL_ID, callback, ingest, seedCallHistory, startQueryTestPipeline } from '../fixtures/query-callbacks.ts';
import { startQueryProcess, type QueryProcess } from '../fixtures/query-process.ts';

/**
 * The real query service as its own process, called over a real socket: the seed-004 curl example (only
 * the base URL and credentials changed) gets the seed-000 call, and the service documents itself
 * (/docs, /docs/openapi.json) and reports its metrics.
 */
const run = promisify(execFile);
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';

describe('the query service process', () => {
  let pipeline: TestPipeline;
  let service: QueryProcess;
  let accessToken: string;

  beforeAll(async () => {
    pipeline = await startQueryTestPipeline({ now: () => new Date('2026-01-02T03:04:05.000Z') });
    const tenant = await pipeline.createTenant({ tenantId: TENANT_ID });
    accessToken = tenant.accessToken;
    await pipeline.startConsumer();
    await ingest(pipeline, tenant, [callback({})]);
    service = await startQueryProcess({ DATABASE_URL: pipeline.db.url, DATABASE_POOL_SIZE: '3' });
  });
  afterAll(async () => {
    // The service must be gone before the pipeline drops its database.
    const code = await service?.stop();
    await pipeline?.close();
    expect(code, service?.output()).toBe(0);
  });

  it("answers the seed-004 curl command (our base URL and credentials) with the seed-000 call's expected JSON", async () => {
    // The seed prints its tenant id upper-case; ours is a UUID just the same.
    const command =
      `curl -X GET \\\n  "${service.baseUrl}/v1/calls/${SEED_CALL_ID}" \\\n` +
      `  -H "x-commubo-tenantId: ${TENANT_ID.toUpperCase()}" \\\n  -H "x-commubo-accessToken: ${accessToken}"`;
    const { stdout } = await run('bash', ['-c', command]);
    const body = JSON.parse(stdout);
    for (const field of new Set([...Object.keys(seedCallHistory), ...Object.keys(body)])) {
      expect(body[field], field).toEqual(seedCallHistory[field]);
    }
  });

  it('answers fetch with 200, JSON, an ETag, and 403 to a wrong token', async () => {
    const url = `${service.baseUrl}/v1/calls/${SEED_CALL_ID}`;
    const ok = await fetch(url, { headers: { 'x-commubo-tenantId': TENANT_ID, 'x-commubo-accessToken': accessToken } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await ok.json()).toEqual(seedCallHistory);
    const etag = ok.headers.get('etag')!;
    const notModified = await fetch(url, {
      headers: { 'x-commubo-tenantId': TENANT_ID, 'x-commubo-accessToken': accessToken, 'if-none-match': etag },
    });
    expect(notModified.status).toBe(304);
    const forbidden = await fetch(url, { headers: { 'x-commubo-tenantId': TENANT_ID, 'x-commubo-accessToken': 'wrong' } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'unknown tenant or wrong access token' } });
  });

  it('serves an OpenAPI 3.1 document generated from the zod schemas at /docs/openapi.json', async () => {
    const response = await fetch(`${service.baseUrl}/docs/openapi.json`);
    expect(response.status).toBe(200);
    // An OpenAPI document walked by path: the assertions below check its shape.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const document = (await response.json()) as Record<string, any>;
    expect(document.openapi).toBe('3.1.0');
    expect(
      Object.keys(document.paths)
        .filter((path) => path.startsWith('/v1/'))
        .sort(),
    ).toEqual(['/v1/calls', '/v1/calls/{callId}', '/v1/calls/{callId}/conversations', '/v1/calls/{callId}/raw']);
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/docs'))).toEqual([]);

    // The published schemas are the zod schemas' own JSON Schema (with OpenAPI's reference paths).
    const generated = z.toJSONSchema(callHistorySchema, { io: 'output', target: 'draft-2020-12' }) as { $defs: Record<string, unknown> };
    const asComponents = (schema: unknown) => JSON.parse(JSON.stringify(schema).replaceAll('#/$defs/', '#/components/schemas/'));
    expect(Object.keys(document.components.schemas).sort()).toEqual([
      'CallHistory',
      'ConversationMessage',
      'Customer',
      'Error',
      'Operator',
    ]);
    for (const name of ['CallHistory', 'Customer', 'Operator']) {
      expect(document.components.schemas[name], name).toEqual(asComponents(generated.$defs[name]));
    }
    expect(document.components.schemas.CallHistory.required).toEqual(['callId', 'callDateTime', 'connectResult']);

    const single = document.paths['/v1/calls/{callId}'].get;
    expect(single.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CallHistory' });
    expect(Object.keys(single.responses).sort()).toEqual(['200', '304', '400', '403', '404', '503']);
    expect(single.security).toEqual([{ tenantId: [], accessToken: [] }]);
    expect(document.components.securitySchemes).toEqual({
      tenantId: { type: 'apiKey', in: 'header', name: 'x-commubo-tenantId', description: 'the tenant id' },
      accessToken: { type: 'apiKey', in: 'header', name: 'x-commubo-accessToken', description: 'the tenant access token' },
    });

    const list = document.paths['/v1/calls'].get;
    expect(
      list.parameters.map((parameter: { name: string; in: string; required: boolean }) => [
        parameter.name,
        parameter.in,
        parameter.required,
      ]),
    ).toEqual([
      ['start', 'query', true],
      ['end', 'query', true],
      ['expand', 'query', false],
      ['limit', 'query', false],
      ['cursor', 'query', false],
      ['phoneNumber', 'query', false],
      ['connectResult', 'query', false],
      ['campaignId', 'query', false],
    ]);
  });

  it('serves a browsable page at /docs', async () => {
    const page = await fetch(`${service.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    for (const asset of html.matchAll(/(?:src|href)="\.\/(static\/[^"]+)"/g)) {
      const response = await fetch(`${service.baseUrl}/docs/${asset[1]}`);
      expect(response.status, asset[1]).toBe(200);
    }
  });

  it('reports requests by route and status, latencies and pool usage at /metrics', async () => {
    await fetch(`${service.baseUrl}/v1/calls/${SEED_CALL_ID}`, {
      headers: { 'x-commubo-tenantId': TENANT_ID, 'x-commubo-accessToken': accessToken },
    });
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /^http_requests_total\{method="GET",route="\/v1\/calls\/:callId",status_code="200",service="query"\} [1-9]\d*$/m,
    );
    expect(metrics).toMatch(
      /^http_requests_total\{method="GET",route="\/v1\/calls\/:callId",status_code="403",service="query"\} [1-9]\d*$/m,
    );
    expect(metrics).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",service="query",method="GET",route="\/v1\/calls\/:callId",status_code="200"\} [1-9]\d*$/m,
    );
    expect(metrics).toMatch(/^db_pool_connections\{state="max",service="query"\} 3$/m);
    expect(metrics).toMatch(/^db_pool_connections\{state="idle",service="query"\} [0-3]$/m);
    expect(metrics).toMatch(/^db_pool_connections\{state="in_use",service="query"\} [0-3]$/m);
    expect(metrics).toMatch(/^db_pool_waiting_requests\{service="query"\} 0$/m);
  });
});
