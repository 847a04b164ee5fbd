import { loadConfigOrExit } from '../../shared/config.ts';
import { createPool } from '../../shared/db/pool.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { exitOnStartupFailure, listenOn, needPostgres } from '../../shared/startup-error.ts';
import { reportStartup } from '../../shared/startup-report.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { buildQueryServer } from './app.ts';
import { createCallsRepository } from './calls-repository.ts';
import { registerPoolMetrics } from './pool-metrics.ts';

const config = loadConfigOrExit(process.env);
const db = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, 'callstream-query');
const registry = createMetricsRegistry('query');
registerPoolMetrics(registry, db, config.DATABASE_POOL_SIZE);

const app = buildQueryServer(
  {
    tenants: createTenantAuthenticator(createTenantRepository(db), config.TENANT_CACHE_TTL_MS),
    calls: createCallsRepository(db),
    isReady: async () => (await db.query('select 1')).rowCount === 1,
    retryAfterSeconds: config.RETRY_AFTER_SECONDS,
  },
  { logger: loggerOptions(config.LOG_LEVEL, 'query'), registry, connectionTimeoutMs: config.QUERY_SOCKET_IDLE_TIMEOUT_MS },
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
db.on('error', (error) => app.log.warn({ err: error }, 'idle database connection failed'));

closeOnSignals(() => app.close(), (message) => app.log.info(message));
try {
  await needPostgres(config.DATABASE_URL, () => db.query('select 1'));
  await listenOn('QUERY_PORT', config.QUERY_PORT, config.HOST, () => app.listen({ host: config.HOST, port: config.QUERY_PORT }));
  await reportStartup({ listening: true });
} catch (error) {
  await exitOnStartupFailure(error);
}
