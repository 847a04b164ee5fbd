import { Gauge, type Registry } from 'prom-client';
import type { Pool } from './pool.ts';

/** Postgres pool usage, read at scrape time: a pool that is always full is where latency comes from. */
export function registerPoolMetrics(registry: Registry, pool: Pool, maxConnections: number): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Postgres pool connections by state (in_use, idle), and the configured max',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'max' }, maxConnections);
    },
  });
  new Gauge({
    name: 'db_pool_waiting_requests',
    help: 'Queries waiting for a free pool connection',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
}
