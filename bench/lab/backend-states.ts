import type { Pool } from '../../shared/db/pool.ts';

/**
 * Where a service's time goes as Postgres sees it: pg_stat_activity of its connections, sampled every
 * few milliseconds. "active" = Postgres executing one of its statements; "idle in transaction" = inside
 * a transaction, waiting for the service's next statement (its CPU, or the round trip); "idle" =
 * outside any transaction (for the consumer: fetching from Kafka, decoding and flattening, committing
 * offsets). Sampling, so the shares are estimates; cheap enough to run during a measurement.
 */
const SAMPLE_MS = 10;

export interface BackendStates {
  stop(): Promise<Record<string, number>>;
}

export function sampleBackendStates(pool: Pool, database: string, applicationName: string): BackendStates {
  const counts: Record<string, number> = {};
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await pool.query<{ state: string | null }>(
        'select state from pg_stat_activity where datname = $1 and application_name = $2',
        [database, applicationName],
      );
      const states = new Set(rows.map((row) => row.state ?? 'unknown'));
      const state =
        rows.length === 0
          ? 'no_connection'
          : states.has('active')
            ? 'active'
            : states.has('idle in transaction')
              ? 'idle_in_transaction'
              : 'idle';
      counts[state] = (counts[state] ?? 0) + 1;
      samples += 1;
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Object.fromEntries(
        Object.entries(counts).map(([state, count]) => [state, Math.round((count / Math.max(1, samples)) * 100) / 100]),
      );
    },
  };
}
