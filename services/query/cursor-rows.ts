import Cursor from 'pg-cursor';
import type { Pool } from '../../shared/db/pool.ts';

/**
 * Rows of one query, read through a server-side cursor a batch at a time on a connection of its own, so
 * memory holds one batch however many rows match. Stopping early (the consumer breaks, or the HTTP client
 * went away and the stream was destroyed) closes the cursor before the connection returns to the pool;
 * a connection that failed mid-read is discarded instead.
 */
export async function* cursorRows(db: Pool, sql: string, values: unknown[], batchSize: number): AsyncGenerator<unknown> {
  const client = await db.connect();
  const cursor = client.query(new Cursor(sql, values));
  let failure: Error | undefined;
  try {
    for (;;) {
      const rows = await cursor.read(batchSize);
      if (rows.length === 0) return;
      yield* rows;
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    if (!failure) await cursor.close().catch((error: Error) => (failure = error));
    client.release(failure);
  }
}
