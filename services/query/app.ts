import type { Tracer } from '@opentelemetry/api';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { ERROR_HANDLER_PLUGIN, errorHandler } from '../../shared/http/error-handler.ts';
import { frameworkErrorOptions } from '../../shared/http/framework-errors.ts';
import { probes, type ReadinessChecks } from '../../shared/http/probes.ts';
import { httpMetrics } from '../../shared/metrics.ts';
import { httpTracing } from '../../shared/tracing/http-tracing.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import type { CallsRepository } from './calls-repository.ts';
import { CODE_BY_PARAMETER, DATABASE_UNAVAILABLE_MESSAGE } from './errors.ts';
import { registerOpenApi } from './openapi.ts';
import { callRoutes } from './routes-call.ts';
import { listRoute } from './routes-list.ts';

export interface QueryDeps {
  tenants: TenantAuthenticator;
  calls: CallsRepository;
  /** What /readyz reports (postgres). */
  readiness: ReadinessChecks;
  /** What a 503 tells the client to wait; 5 s when not given. */
  retryAfterSeconds?: number;
}

export interface QueryServerOptions {
  logger: FastifyServerOptions['logger'];
  registry: Registry;
  /** Closes a connection idle (nothing sent or received) this long; none when not given. */
  connectionTimeoutMs?: number;
  /** A span per request (start.ts always gives one); none: untraced, for tests about answers only. */
  tracer?: Tracer;
}

/** The call-history routes, after the error handler: a route keeps the one its context had when added. */
const queryRoutes = fp(
  async (routes, deps: Pick<QueryDeps, 'tenants' | 'calls'>) => {
    callRoutes(routes, deps);
    listRoute(routes, deps);
  },
  { name: 'query-routes', fastify: '5.x', encapsulate: true, dependencies: [ERROR_HANDLER_PLUGIN] },
);

/**
 * Answers are built once, in Node, by the mappers, and written with JSON.stringify. The response schemas
 * document them (OpenAPI) and the tests hold every answer to them and to exact bodies; checking each
 * answer again at run time (the zod type provider's serializer) cost more than writing it: 4.8 µs against
 * 1.9 µs per call-history object, measured on the seed's. fast-json-stringify was 1.3 µs but puts the
 * required fields first, out of the documented order.
 */
const plainJson = () => (data: unknown) => JSON.stringify(data);

/**
 * The query service's Fastify server; start.ts listens on it, tests call inject(). zod schemas validate
 * every request and generate the OpenAPI document.
 */
export function buildQueryServer(deps: QueryDeps, options: QueryServerOptions): FastifyInstance {
  const app = Fastify({
    // Refusals made before any plugin runs (the router's, the HTTP parser's) can only be set here.
    ...frameworkErrorOptions(),
    logger: options.logger,
    connectionTimeout: options.connectionTimeoutMs ?? 0,
    // Long ids must reach the schema (a 400 naming callId), not stop at the router's 100-character default (414).
    routerOptions: { maxParamLength: 1024 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(plainJson);
  app.decorateRequest('tenant', null);
  // First: the not-found handler's requests get their span and trace id too.
  if (options.tracer) app.register(httpTracing, { tracer: options.tracer });
  app.register(errorHandler, {
    retryAfterSeconds: deps.retryAfterSeconds ?? 5,
    codeByParameter: CODE_BY_PARAMETER,
    databaseUnavailableMessage: DATABASE_UNAVAILABLE_MESSAGE,
  });
  // Before the routes: the document is built from the routes added after it.
  registerOpenApi(app);
  app.register(httpMetrics, { registry: options.registry });
  app.register(probes, { checks: deps.readiness });
  app.register(queryRoutes, { tenants: deps.tenants, calls: deps.calls });
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant | null;
  }
}
