import type { Pool } from '../../shared/db/pool.ts';
import {
  CALL_TABLES,
  READ_MODEL_TABLES,
  createMigratedDatabase,
  databaseUrl,
  type CallTable,
  type TestDatabase,
} from '../../kit/test-database.ts';

/**
 * The bench's own database on the machine's Postgres: created fresh and migrated for each run, dropped
 * at the end. The tables are the contract (migrations/0001_calls.sql); the bench reads them, never the
 * services' code.
 */
/** Reached through the `postgres` database of the server DATABASE_URL names. */
export function createBenchDatabase(serverUrl: string): Promise<TestDatabase> {
  return createMigratedDatabase(databaseUrl(serverUrl, 'postgres'), {
    prefix: 'callstream_bench',
    poolSize: 4,
    applicationName: 'callstream-bench',
  });
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
  await pool.query(`truncate ${[...CALL_TABLES, ...READ_MODEL_TABLES].join(', ')}`);
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
