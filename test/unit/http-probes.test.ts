import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { probes, type ReadinessChecks } from '../../shared/http/probes.ts';

/** /healthz and /readyz on a real Fastify instance, with checks that pass, fail, throw and hang. */
let app: FastifyInstance | undefined;
afterEach(() => app?.close());

async function probed(checks: ReadinessChecks, checkTimeoutMs?: number): Promise<FastifyInstance> {
  app = Fastify();
  app.register(probes, { checks, ...(checkTimeoutMs === undefined ? {} : { checkTimeoutMs }) });
  await app.ready();
  return app;
}

const never = () => new Promise<boolean>(() => undefined);

describe('probes', () => {
  it('/healthz answers alive whatever the checks say', async () => {
    const server = await probed({ postgres: async () => false });
    const response = await server.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with every check named ok when all pass', async () => {
    const server = await probed({ postgres: async () => true, kafka: async () => true });
    const response = await server.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', kafka: 'ok' } });
  });

  it('/readyz is 503 naming each check that answered false, rejected, threw or answered something else', async () => {
    const server = await probed({
      postgres: async () => true,
      kafka: async () => false,
      consumerGroup: () => Promise.reject(new Error('not a member')),
      thrower: () => {
        throw new Error('thrown before any promise');
      },
      truthy: async () => 'yes' as unknown as boolean,
    });
    const response = await server.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'not ready',
      checks: { postgres: 'ok', kafka: 'failed', consumerGroup: 'failed', thrower: 'failed', truthy: 'failed' },
    });
  });

  it('/readyz does not hang on a check that never answers: failed once its bound has passed', async () => {
    const server = await probed({ postgres: never, kafka: async () => true }, 100);
    const started = Date.now();
    const response = await server.inject({ method: 'GET', url: '/readyz' });
    const elapsed = Date.now() - started;
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not ready', checks: { postgres: 'failed', kafka: 'ok' } });
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('the bound is 2 s when the service names none', async () => {
    const server = await probed({ postgres: never });
    const started = Date.now();
    const response = await server.inject({ method: 'GET', url: '/readyz' });
    const elapsed = Date.now() - started;
    expect(response.json()).toEqual({ status: 'not ready', checks: { postgres: 'failed' } });
    expect(elapsed).toBeGreaterThanOrEqual(1_950);
    expect(elapsed).toBeLessThan(3_000);
  });
});
