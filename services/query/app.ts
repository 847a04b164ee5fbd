import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { frameworkErrorOptions } from '../../shared/http/framework-errors.ts';
import { httpMetrics } from '../../shared/metrics.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import type { CallsRepository } from './calls-repository.ts';
import { installErrorHandlers, QUERY_FRAMEWORK_ERRORS } from './errors.ts';
import { registerOpenApi } from './openapi.ts';
import { callRoutes } from './routes-call.ts';
import { listRoute } from './routes-list.ts';

export interface QueryDeps {
  tenants: TenantAuthenticator;
  calls: CallsRepository;
  /** Postgres reachable: what /readyz reports. */
  isReady(): Promise<boolean>;
  /** What a 503 tells the client to wait; 5 s when not given. */
  retryAfterSeconds?: number;
}

export interface QueryServerOptions {
  logger: FastifyServerOptions['logger'];
  registry: Registry;
  /** Closes a connection idle (nothing sent or received) this long; none when not given. */
  connectionTimeoutMs?: number;
}

/**
 * The query service's Fastify server; main.ts listens on it, tests call inject(). zod schemas validate
 * every request and response and generate the OpenAPI document.
 */
export function buildQueryServer(deps: QueryDeps, options: QueryServerOptions): FastifyInstance {
  const app = Fastify({
    ...frameworkErrorOptions(QUERY_FRAMEWORK_ERRORS),
    logger: options.logger,
    connectionTimeout: options.connectionTimeoutMs ?? 0,
    // Long ids must reach the schema (a 400 naming callId), not stop at the router's 100-character default (414).
    routerOptions: { maxParamLength: 1024 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('tenant', null);
  installErrorHandlers(app, deps.retryAfterSeconds ?? 5);
  registerOpenApi(app);
  app.register(httpMetrics, { registry: options.registry });
  app.register(async (routes) => {
    routes.get('/healthz', async () => ({ status: 'ok' }));
    routes.get('/readyz', async (_request, reply) => {
      const ready = await deps.isReady().catch(() => false);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
    });
    callRoutes(routes, deps);
    listRoute(routes, deps);
  });
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant | null;
  }
}
