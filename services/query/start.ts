import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../../shared/config.ts';
import { errorSummary } from '../../shared/db/errors.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';
import type { ReadinessChecks } from '../../shared/http/probes.ts';
import { listeningPort } from '../../shared/listening-port.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { listenOn, needPostgres } from '../../shared/startup-error.ts';
import { reportStartup, type StartupReport } from '../../shared/startup-report.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildQueryServer } from './app.ts';
import { createCallsRepository } from './calls-repository.ts';
import { registerPoolMetrics } from './pool-metrics.ts';

/**
 * The query service's composition root: config → pool → app → listen → close with a drain, for main.ts
 * and for every test that runs the service in-process. Overrides are what a config cannot say.
 */
export interface QueryOverrides {
  /** Fastify's logger option; the service's JSON lines (loggerOptions) when not given. */
  logger?: FastifyServerOptions['logger'];
  /** false: no socket, requests through app.inject(). */
  listen?: boolean;
  registry?: Registry;
  /** What a parent with an IPC channel is told (npm start); a test process must not tell its runner. */
  report?: (report: StartupReport) => Promise<void>;
}

export interface QueryService {
  app: FastifyInstance;
  db: Pool;
  /** The port it listens on once started (the one chosen when QUERY_PORT is 0); undefined without a socket. */
  port(): number | undefined;
  /** Checks Postgres, listens and reports listening; failures are StartupErrors. */
  start(): Promise<void>;
  /** Stops listening, lets busy connections drain for QUERY_SHUTDOWN_DRAIN_MS, closes the pool. Once. */
  close(): Promise<void>;
}

export type RunningQuery = Omit<QueryService, 'start'>;

/** Everything wired, nothing connected yet: main.ts handles signals from here on, start-up included. */
export function createQuery(config: Config, overrides: QueryOverrides = {}): QueryService {
  const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-query');
  const registry = overrides.registry ?? createMetricsRegistry('query');
  registerPoolMetrics(registry, db, config.DATABASE_POOL_SIZE);
  const readiness = { postgres: async () => (await db.query('select 1')).rowCount === 1 } satisfies ReadinessChecks;

  const app = buildQueryServer(
    {
      tenants: createTenantAuthenticator(createTenantRepository(db), config.TENANT_CACHE_TTL_MS),
      calls: createCallsRepository(db),
      readiness,
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
    },
    {
      logger: overrides.logger ?? loggerOptions(config.LOG_LEVEL, 'query'),
      registry,
      connectionTimeoutMs: config.QUERY_SOCKET_IDLE_TIMEOUT_MS,
    },
  );
  // Idle connections close with the server; busy ones (a long stream to a slow or vanished client) get a
  // drain period, then are cut, so that shutdown never waits on a client.
  app.addHook('preClose', async () => {
    setTimeout(() => app.server.closeAllConnections(), config.QUERY_SHUTDOWN_DRAIN_MS).unref();
  });
  app.addHook('onClose', async () => {
    await db.end();
  });
  // An idle connection that breaks (Postgres restarted) is dropped by the pool; it must not crash the process.
  // Only a summary: pg attaches its client, password included, to connection errors.
  db.on('error', (error) => app.log.warn({ error: errorSummary(error) }, 'idle database connection failed'));

  let closing: Promise<void> | undefined;
  return {
    app,
    db,
    port: () => listeningPort(app),
    async start() {
      await needPostgres(config.DATABASE_URL, () => db.query('select 1'));
      if (overrides.listen === false) {
        await app.ready();
        return;
      }
      await listenOn('QUERY_PORT', config.QUERY_PORT, config.HOST, () => app.listen({ host: config.HOST, port: config.QUERY_PORT }));
      await (overrides.report ?? reportStartup)({ listening: true });
    },
    close: () => (closing ??= app.close()),
  };
}

/** Created and started; what start-up opened is closed again when it fails. */
export async function startQuery(config: Config, overrides: QueryOverrides = {}): Promise<RunningQuery> {
  const query = createQuery(config, overrides);
  try {
    await query.start();
  } catch (error) {
    await query.close().catch(() => undefined);
    throw error;
  }
  return query;
}
