import type { FastifyInstance } from 'fastify';
import { needPostgres } from '../startup-error.ts';
import { errorSummary } from './errors.ts';
import { createPool, type Pool } from './pool.ts';

/** A service's Postgres pool with what every service does around it: check it, probe it, log it, end it. */
export interface ServicePool {
  db: Pool;
  /** The `postgres` readiness check: Postgres answers. */
  ready: () => Promise<boolean>;
  /** At start-up: Postgres answers, or a StartupError naming DATABASE_URL. */
  reach(): Promise<void>;
  /**
   * Logs the pool's errors on the app's logger and ends the pool when the app closes, after `before` (what
   * still writes through the pool, or must stop before it ends).
   */
  closeWith(app: FastifyInstance, options?: { before?: () => Promise<void> }): void;
}

export function createServicePool(databaseUrl: string, max: number, applicationName: string): ServicePool {
  const db = createPool(databaseUrl, max, applicationName);
  return {
    db,
    ready: async () => (await db.query('select 1')).rowCount === 1,
    reach: async () => {
      await needPostgres(databaseUrl, () => db.query('select 1'));
    },
    closeWith(app, { before } = {}) {
      // An idle connection that breaks (Postgres restarted) is dropped and replaced by the pool; unheard, the
      // event would crash the process. Only a summary: pg attaches its client, password included, to connection errors.
      db.on('error', (error) => app.log.warn({ error: errorSummary(error) }, 'idle database connection failed'));
      app.addHook('onClose', async () => {
        await before?.();
        await db.end();
      });
    },
  };
}
