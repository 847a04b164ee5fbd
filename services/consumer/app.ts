import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

/** The consumer's small HTTP side: liveness and readiness for orchestrators. */
export interface ConsumerHttpDeps {
  isReady(): Promise<boolean>;
}

export function buildConsumerServer(deps: ConsumerHttpDeps, options: { logger: FastifyServerOptions['logger'] }): FastifyInstance {
  const app = Fastify({ logger: options.logger });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await deps.isReady().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  return app;
}
