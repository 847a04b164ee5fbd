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
  // A connection lost mid-read is also emitted as an 'error' event (fatal unheard); the read rejects anyway.
  const ignore = () => undefined;
  client.on('error', ignore);
  const cursor = client.query(new Cursor(sql, values));
  // The next batch is on its way while this one is processed: Postgres and Node work at the same time.
  let next: Promise<unknown[]> | undefined = cursor.read(batchSize);
  let failure: Error | undefined;
  try {
    while (next) {
      const rows: unknown[] = await next;
      next = rows.length === batchSize ? cursor.read(batchSize) : undefined;
      next?.catch(() => undefined); // observed below, in finally, if nobody awaits it here
      yield* rows;
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    if (next) await next.catch((error: Error) => (failure = error));
    if (!failure) await cursor.close().catch((error: Error) => (failure = error));
    client.off('error', ignore);
    client.release(failure);
  }
}
