import type { Tracer } from '@opentelemetry/api';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../../shared/config.ts';
import { errorHandler } from '../../shared/http/error-handler.ts';
import { frameworkErrorOptions } from '../../shared/http/framework-errors.ts';
import { probes, type ReadinessChecks } from '../../shared/http/probes.ts';
import { httpMetrics } from '../../shared/metrics.ts';
import { httpTracing } from '../../shared/tracing/http-tracing.ts';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { callRecordsRoute } from './call-records-route.ts';
import { frameworkErrorSettings } from './errors.ts';
import { ingressMetrics } from './metrics.ts';
import type { CallRecordPublisher } from './publish/call-record-publisher.ts';
import { pressureLimits, type PressureLimits } from './pressure.ts';
import type { TenantRateLimit } from './fairness/tenant-rate-limit.ts';
import { createTenantSignatures } from './signature/tenant-signatures.ts';

export interface IngressDeps {
  tenants: TenantAuthenticator;
  publisher: CallRecordPublisher;
  retryAfterSeconds: number;
  /** Per-tenant token buckets (start.ts builds them from the config); none: no tenant is limited. */
  rateLimit?: TenantRateLimit;
  /** What /readyz reports; kafka also turns callbacks away with 503 while it fails (pressure.ts). */
  readiness: ReadinessChecks & { readonly kafka: () => Promise<boolean> };
  /** Tenants counted by tenant id (METRICS_TENANT_IDS); none when not given. */
  metricsTenantIds?: readonly string[];
  now?: () => Date;
}

const UNLIMITED: TenantRateLimit = { take: () => ({ allowed: true }) };

export type IngressLimits = PressureLimits &
  Pick<Config, 'BODY_LIMIT_BYTES' | 'INGRESS_REQUEST_TIMEOUT_MS' | 'SIGNATURE_TOLERANCE_SECONDS'>;

export interface IngressServerOptions {
  limits: IngressLimits;
  logger: FastifyServerOptions['logger'];
  registry: Registry;
  tracer: Tracer;
}

/** The Fastify server with the ingress routes; start.ts listens on it, tests call inject(). */
export function buildIngressServer(deps: IngressDeps, options: IngressServerOptions): FastifyInstance {
  const { limits } = options;
  const framework = frameworkErrorSettings({ bodyLimit: limits.BODY_LIMIT_BYTES });
  const app = Fastify({
    // Refusals made before any plugin runs (the router's, the HTTP parser's) can only be set here.
    ...frameworkErrorOptions(framework),
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
  // First: the not-found handler's requests get their span and trace id too.
  app.register(httpTracing, { tracer: options.tracer });
  app.register(errorHandler, { retryAfterSeconds: deps.retryAfterSeconds, framework });
  app.register(httpMetrics, { registry: options.registry });
  app.register(probes, { checks: deps.readiness });
  app.register(pressureLimits, { limits, retryAfterSeconds: deps.retryAfterSeconds, kafkaConnected: deps.readiness.kafka });
  const now = deps.now ?? (() => new Date());
  app.register(callRecordsRoute, {
    tenants: deps.tenants,
    publisher: deps.publisher,
    metrics: ingressMetrics(options.registry, deps.publisher, deps.metricsTenantIds),
    retryAfterSeconds: deps.retryAfterSeconds,
    rateLimit: deps.rateLimit ?? UNLIMITED,
    signatures: createTenantSignatures({
      toleranceSeconds: limits.SIGNATURE_TOLERANCE_SECONDS,
      now,
      recheck: (tenantId) => deps.tenants.recheck(tenantId),
    }),
    now,
  });
  return app;
}
