import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { httpMetrics } from '../../shared/metrics.ts';

/** The consumer's small HTTP side: liveness, readiness and metrics for orchestrators. */
export interface ConsumerHttpDeps {
  isReady(): Promise<boolean>;
}

export function buildConsumerServer(deps: ConsumerHttpDeps, options: { logger: FastifyServerOptions['logger']; registry: Registry }): FastifyInstance {
  const app = Fastify({ logger: options.logger });
  app.register(httpMetrics, { registry: options.registry });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await deps.isReady().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  return app;
}
