import { CALL_TABLES, READ_MODEL_TABLES } from '../../kit/test-database.ts';
import type { Pool } from '../../shared/db/pool.ts';

/**
 * Every row the consumer writes for calls (the call tables and the read model beside them), by table, as
 * JSON would carry them: what test/fixtures/seed-000-rows.json holds for the seed.
 */
export async function storedRows(pool: Pool): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of [...CALL_TABLES, ...READ_MODEL_TABLES]) {
    // Every table's key is its leading columns.
    const result = await pool.query(`select * from ${table} order by 1, 2, 3, 4`);
    rows[table] = JSON.parse(JSON.stringify(result.rows));
  }
  return rows;
}
