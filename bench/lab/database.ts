import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase, migrate } from '../../shared/db/migrate.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';

/**
 * The bench's own database on the machine's Postgres: created fresh and migrated for each run, dropped
 * at the end. The tables are the contract (migrations/0001_calls.sql); the bench reads them, never the
 * services' code.
 */
export const CALL_TABLES = ['calls', 'call_instances', 'dialogue_lines', 'call_labels', 'call_variables', 'call_recordings'] as const;
export type CallTable = (typeof CALL_TABLES)[number];

export interface BenchDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `callstream_bench_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(serverUrl, name);
  await ensureDatabase(url);
  const pool = createPool(url, 4, 'callstream-bench');
  await migrate(pool);
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
      await admin.connect();
      try {
        await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Columns a row can be written to (not generated), in table order: what COPY and bulk loads name. */
export async function writableColumns(pool: Pool, table: CallTable): Promise<string[]> {
  const { rows } = await pool.query<{ column_name: string }>(
    `select column_name from information_schema.columns
     where table_schema = 'public' and table_name = $1 and is_generated = 'NEVER'
     order by ordinal_position`,
    [table],
  );
  return rows.map((row) => row.column_name);
}

export async function truncateCallTables(pool: Pool): Promise<void> {
  await pool.query(`truncate ${CALL_TABLES.join(', ')}`);
}

/** Rows stored for the given calls, per table. */
export async function countRowsOf(pool: Pool, tenantId: string, callIds: string[]): Promise<Record<CallTable, number>> {
  const counts = {} as Record<CallTable, number>;
  for (const table of CALL_TABLES) {
    const { rows } = await pool.query<{ count: number }>(
      `select count(*)::int as count from ${table} where tenant_id = $1::uuid and call_id = any($2::text[])`,
      [tenantId, callIds],
    );
    counts[table] = rows[0]!.count;
  }
  return counts;
}

export const totalRows = (counts: Record<string, number>) => Object.values(counts).reduce((sum, count) => sum + count, 0);
