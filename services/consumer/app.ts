import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { errorHandler } from '../../shared/http/error-handler.ts';
import { frameworkErrorOptions } from '../../shared/http/framework-errors.ts';
import { probes, type ReadinessChecks } from '../../shared/http/probes.ts';
import { httpMetrics } from '../../shared/metrics.ts';

/** The consumer's small HTTP side: liveness, readiness and metrics for orchestrators. */
export interface ConsumerHttpDeps {
  /** What /readyz reports (postgres, consumerGroup). */
  readiness: ReadinessChecks;
}

export function buildConsumerServer(
  deps: ConsumerHttpDeps,
  options: { logger: FastifyServerOptions['logger']; registry: Registry },
): FastifyInstance {
  const app = Fastify({ ...frameworkErrorOptions(), logger: options.logger });
  // The consumer answers no client with a Retry-After of its own; 5 s is what a 503 here would say.
  app.register(errorHandler, { retryAfterSeconds: 5 });
  app.register(httpMetrics, { registry: options.registry });
  app.register(probes, { checks: deps.readiness });
  return app;
}
