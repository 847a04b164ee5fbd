import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../../shared/config.ts';
import type { CallRecordPublisher } from './publish/call-record-publisher.ts';
import { frameworkErrorOptions } from '../../shared/http/framework-errors.ts';
import { httpMetrics } from '../../shared/metrics.ts';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { callRecordsRoute } from './call-records-route.ts';
import { frameworkErrorSettings, mapFastifyErrors } from './errors.ts';
import { ingressMetrics } from './metrics.ts';
import { registerPressureLimits, type PressureLimits } from './pressure.ts';

export interface IngressDeps {
  tenants: TenantAuthenticator;
  publisher: CallRecordPublisher;
  retryAfterSeconds: number;
  /** Postgres (and whatever else main.ts checks) reachable; /readyz also needs the producer connected. */
  isReady(): Promise<boolean>;
  now?: () => Date;
}

export type IngressLimits = PressureLimits & Pick<Config, 'BODY_LIMIT_BYTES' | 'INGRESS_REQUEST_TIMEOUT_MS'>;

export interface IngressServerOptions {
  limits: IngressLimits;
  logger: FastifyServerOptions['logger'];
  registry: Registry;
}

/** The Fastify server with the ingress routes; main.ts listens on it, tests call inject(). */
export function buildIngressServer(deps: IngressDeps, options: IngressServerOptions): FastifyInstance {
  const { limits } = options;
  const errorSettings = frameworkErrorSettings({ bodyLimit: limits.BODY_LIMIT_BYTES });
  const app = Fastify({
    ...frameworkErrorOptions(errorSettings),
    bodyLimit: limits.BODY_LIMIT_BYTES,
    // Slow senders are answered 408 and cut off. Node applies the deadline to the body only when it is given
    // to createServer (Fastify sets it afterwards, which covers the headers alone), and checks it every
    // connectionsCheckingInterval (30 s by default).
    requestTimeout: limits.INGRESS_REQUEST_TIMEOUT_MS,
    http: {
      requestTimeout: limits.INGRESS_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(1_000, limits.INGRESS_REQUEST_TIMEOUT_MS),
    },
    logger: options.logger,
  });
  mapFastifyErrors(app, errorSettings);
  app.register(httpMetrics, { registry: options.registry });
  registerPressureLimits(app, limits, {
    retryAfterSeconds: deps.retryAfterSeconds,
    kafkaConnected: () => deps.publisher.isConnected(),
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = (await deps.isReady().catch(() => false)) && (await deps.publisher.isConnected());
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.register(callRecordsRoute, {
    tenants: deps.tenants,
    publisher: deps.publisher,
    metrics: ingressMetrics(options.registry, deps.publisher),
    retryAfterSeconds: deps.retryAfterSeconds,
    now: deps.now ?? (() => new Date()),
  });
  return app;
}
