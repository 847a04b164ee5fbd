import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry, httpMetrics } from '../../shared/metrics.ts';

/** httpMetrics is registered once at the root; its hook must count the routes of every plugin after it. */
describe('httpMetrics', () => {
  it('counts a route of an encapsulated plugin registered after it, and serves /metrics', async () => {
    const registry = createMetricsRegistry('test');
    const app = Fastify();
    app.register(httpMetrics, { registry });
    app.register(async (child) => {
      child.get('/v1/things/:id', async () => ({ ok: true }));
    });
    try {
      expect((await app.inject({ method: 'GET', url: '/v1/things/1' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/v1/things/2' })).statusCode).toBe(200);
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      const counted = metrics.body.split('\n').filter((line) => line.startsWith('http_requests_total{'));
      expect(counted).toEqual(['http_requests_total{method="GET",route="/v1/things/:id",status_code="200",service="test"} 2']);
    } finally {
      await app.close();
    }
  });
});
