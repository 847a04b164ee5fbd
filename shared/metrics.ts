import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { runCheck, type ReadinessChecks } from './http/probes.ts';

/**
 * Prometheus metrics: one registry per service, passed down to whatever records into it. The HTTP
 * plugin counts requests by route and status, times them, and serves GET /metrics.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The service's readiness checks (what /readyz runs: postgres, kafka, consumerGroup) as 1 or 0, run at
 * each scrape: what the alerts on an unreachable Postgres or Kafka read. A check that does not answer
 * within 2 s has failed, as on /readyz.
 */
export function registerReadinessMetrics(registry: Registry, checks: ReadinessChecks): void {
  const names = Object.keys(checks);
  new Gauge({
    name: 'readiness_check_ok',
    help: 'Whether the readiness check of a dependency passes (1) or fails (0), run at each scrape',
    labelNames: ['check'] as const,
    registers: [registry],
    async collect() {
      const outcomes = await Promise.all(names.map((name) => runCheck(checks[name]!, 2_000)));
      names.forEach((name, index) => this.set({ check: name }, outcomes[index] === 'ok' ? 1 : 0));
    },
  });
}

/** The tenant cache of the ingress and the query service (shared/tenants/authenticator.ts): a low hit ratio is a database read per request. */
export function tenantCacheMetrics(registry: Registry): (result: 'hit' | 'miss') => void {
  const lookups = new Counter({
    name: 'tenant_cache_lookups_total',
    help: 'Tenant lookups of the authenticator, by result: hit (from the cache) or miss (read from Postgres)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const hit = lookups.labels('hit');
  const miss = lookups.labels('miss');
  hit.inc(0);
  miss.inc(0);
  return (result) => (result === 'hit' ? hit : miss).inc();
}

export const HTTP_METRICS_PLUGIN = 'callstream-http-metrics';

async function httpMetricsPlugin(app: FastifyInstance, options: { registry: Registry }): Promise<void> {
  const { registry } = options;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
// Not encapsulated (fastify-plugin): the onResponse hook belongs to the context that registers it, so it
// sees every route of the app, including those of plugins registered after it.
export const httpMetrics = fp(httpMetricsPlugin, { name: HTTP_METRICS_PLUGIN, fastify: '5.x' });
