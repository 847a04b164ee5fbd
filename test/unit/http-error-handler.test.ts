import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { freePort } from '../../kit/ports.ts';
import { ERROR_HANDLER_PLUGIN, errorHandler } from '../../shared/http/error-handler.ts';
import { frameworkErrorOptions } from '../../shared/http/framework-errors.ts';

/**
 * The one error handler, on a real Fastify instance: a route throws each class of failure and the answer
 * and the log line are checked exactly. Postgres "down" is a real pg client refused by a port where
 * nothing listens.
 */
const PASSWORD = 'pw-NEVER-LOGGED';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function buildApp(lines: LogLine[]): FastifyInstance {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const app = Fastify({ ...frameworkErrorOptions(), logger: { level: 'debug', stream }, bodyLimit: 64 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.register(errorHandler, { retryAfterSeconds: 7, codeByParameter: { limit: 'INVALID_LIMIT' } });
  app.register(
    fp(
      async (routes) => {
        const typed = routes.withTypeProvider<ZodTypeProvider>();
        typed.get('/list', { schema: { querystring: z.object({ limit: z.coerce.number().int().max(10) }) } }, async () => ({ ok: true }));
        routes.post('/echo', async (request) => request.body);
        routes.get('/postgres', async () => {
          const port = await freePort();
          const client = new pg.Client({ host: '127.0.0.1', port, user: 'callstream', password: PASSWORD, database: 'callstream' });
          await client.connect();
          return { unreachable: false };
        });
        routes.get('/bug', async () => {
          throw Object.assign(new TypeError('cannot read tenantId of undefined'), { client: { password: PASSWORD } });
        });
        routes.get('/schema-drift', async () => {
          throw Object.assign(new Error('relation "tenants" does not exist'), { code: '42P01' });
        });
        routes.get('/deadlock', async () => {
          throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        });
        routes.get('/plugin-refusal', async () => {
          throw Object.assign(new Error('Method Not Allowed on /plugin-refusal?token=SECRET'), { statusCode: 405 });
        });
      },
      { name: 'test-routes', encapsulate: true, dependencies: [ERROR_HANDLER_PLUGIN] },
    ),
  );
  return app;
}

describe('the shared error handler, through routes that throw', () => {
  const lines: LogLine[] = [];
  let app: FastifyInstance;
  const logged = (msg: string) => lines.filter((line) => line.msg === msg);

  beforeAll(async () => {
    app = buildApp(lines);
    await app.ready();
  });
  afterAll(() => app.close());

  it('a parameter that fails its zod schema: 400 with the code the service gives that parameter', async () => {
    const response = await app.inject({ method: 'GET', url: '/list?limit=11' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code: 'INVALID_LIMIT', message: 'limit: Too big: expected number to be <=10' } });
  });

  it("Fastify's own refusals: the codes of shared/http/framework-errors.ts, nothing of the request", async () => {
    const badJson = await app.inject({
      method: 'POST',
      url: '/echo?token=SECRET',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toEqual({ error: { code: 'INVALID_JSON', message: 'the body is not valid JSON' } });
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(100) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toEqual({ error: { code: 'BODY_TOO_LARGE', message: 'the body is too large' } });
    const refused = await app.inject({ method: 'GET', url: '/plugin-refusal?token=SECRET' });
    expect(refused.statusCode).toBe(405);
    expect(refused.json()).toEqual({ error: { code: 'REQUEST_REFUSED', message: 'the request was refused (405 method not allowed)' } });
  });

  it('Postgres that cannot be reached: 503 + Retry-After, logged at warn as a summary without the client or a stack', async () => {
    const response = await app.inject({ method: 'GET', url: '/postgres' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.json()).toEqual({
      error: { code: 'DATABASE_UNAVAILABLE', message: 'the database cannot be reached right now; retry later' },
    });
    const [line, ...more] = logged('database unavailable');
    expect(more).toEqual([]);
    expect({ level: line?.level, reason: line?.reason, code: (line?.error as { code?: string })?.code }).toEqual({
      level: 40,
      reason: 'econnrefused',
      code: 'ECONNREFUSED',
    });
    expect(JSON.stringify(line)).not.toMatch(new RegExp(`${PASSWORD}|stack`));
  });

  it('a deadlock (worth retrying) is the same 503; a schema that is not migrated is a 500', async () => {
    const deadlock = await app.inject({ method: 'GET', url: '/deadlock' });
    expect(deadlock.statusCode).toBe(503);
    expect(deadlock.json()).toEqual({
      error: { code: 'DATABASE_UNAVAILABLE', message: 'the database cannot be reached right now; retry later' },
    });
    const drift = await app.inject({ method: 'GET', url: '/schema-drift' });
    expect(drift.statusCode).toBe(500);
    expect(drift.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
  });

  it('anything else: 500 INTERNAL_ERROR that says nothing more, the cause and its stack logged at error level', async () => {
    const before = logged('request failed').length;
    const response = await app.inject({ method: 'GET', url: '/bug' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
    const line = logged('request failed')[before]!;
    const err = line.error as { type: string; message: string; stack: string };
    expect({ level: line.level, type: err.type, message: err.message }).toEqual({
      level: 50,
      type: 'TypeError',
      message: 'cannot read tenantId of undefined',
    });
    expect(err.stack).toContain('http-error-handler.test.ts');
    expect(JSON.stringify(line)).not.toContain(PASSWORD);
  });

  it('no route: 404 NOT_FOUND naming the method and path, never the query string', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/nowhere/at-all?token=SECRET' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for DELETE /nowhere/at-all' } });
  });
});

describe('registration order', () => {
  it('a route plugin that needs the error handler refuses to start without it', async () => {
    const app = Fastify();
    app.register(fp(async () => undefined, { name: 'needs-errors', encapsulate: true, dependencies: [ERROR_HANDLER_PLUGIN] }));
    await expect(app.ready()).rejects.toThrow(`The dependency '${ERROR_HANDLER_PLUGIN}' of plugin 'needs-errors' is not registered`);
  });
});
