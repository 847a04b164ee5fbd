import type { Config } from '../../shared/config.ts';
import { createServicePool } from '../../shared/db/service-pool.ts';
import type { ReadinessChecks } from '../../shared/http/probes.ts';
import { listeningPort } from '../../shared/listening-port.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry, registerReadinessMetrics, tenantCacheMetrics } from '../../shared/metrics.ts';
import { listenAndReport, startOrClose, type Service, type ServiceOverrides } from '../../shared/service.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { createTracing } from '../../shared/tracing/tracing.ts';
import { buildQueryServer } from './app.ts';
import { createCallsRepository } from './calls-repository.ts';
import { registerPoolMetrics } from '../../shared/db/pool-metrics.ts';

/**
 * The query service's composition root: config → pool → app → listen → close with a drain, for main.ts
 * and for every test that runs the service in-process. Overrides are what a config cannot say.
 */
export type QueryOverrides = ServiceOverrides;

/**
 * start(): checks Postgres, listens and reports listening. close(): stops listening, lets busy connections
 * drain for QUERY_SHUTDOWN_DRAIN_MS, closes the pool.
 */
export type QueryService = Service;

export type RunningQuery = Omit<QueryService, 'start'>;

/** Everything wired, nothing connected yet: main.ts handles signals from here on, start-up included. */
export function createQuery(config: Config, overrides: QueryOverrides = {}): QueryService {
  const pool = createServicePool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-query');
  const { db } = pool;
  const registry = overrides.registry ?? createMetricsRegistry('query');
  registerPoolMetrics(registry, db, config.DATABASE_POOL_SIZE);
  const readiness = { postgres: pool.ready } satisfies ReadinessChecks;
  registerReadinessMetrics(registry, readiness);
  const tracing = createTracing(config, 'query', { exporter: overrides.spanExporter, log: () => app.log });

  const app = buildQueryServer(
    {
      tenants: createTenantAuthenticator(createTenantRepository(db), config.TENANT_CACHE_TTL_MS, Date.now, tenantCacheMetrics(registry)),
      calls: createCallsRepository(db),
      readiness,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    },
    {
      logger: overrides.logger ?? loggerOptions(config.LOG_LEVEL, 'query'),
      registry,
      connectionTimeoutMs: config.QUERY_SOCKET_IDLE_TIMEOUT_MS,
      tracer: tracing.tracer,
    },
  );
  // Idle connections close with the server; busy ones (a long stream to a slow or vanished client) get a
  // drain period, then are cut, so that shutdown never waits on a client.
  app.addHook('preClose', async () => {
    setTimeout(() => app.server.closeAllConnections(), config.QUERY_SHUTDOWN_DRAIN_MS).unref();
  });
  pool.closeWith(app, { before: () => tracing.shutdown() });

  let closing: Promise<void> | undefined;
  return {
    app,
    db,
    port: () => listeningPort(app),
    async start() {
      await pool.reach();
      await listenAndReport(app, { variable: 'QUERY_PORT', port: config.QUERY_PORT, host: config.HOST }, overrides);
    },
    close: () => (closing ??= app.close()),
  };
}

/** Created and started; what start-up opened is closed again when it fails. */
export function startQuery(config: Config, overrides: QueryOverrides = {}): Promise<RunningQuery> {
  return startOrClose(createQuery(config, overrides));
}
