import { z } from 'zod';
import type { Pool } from '../shared/db/pool.ts';
import { CALL_TABLES, READ_MODEL_TABLES } from './test-database.ts';

/**
 * What a lookup costs the database and what a call costs on disk, as the bench reports them
 * (query.buffers_per_lookup, query.bytes_per_call) and the tests bound them.
 */
const explained = z.array(z.object({ Plan: z.object({ 'Shared Hit Blocks': z.number(), 'Shared Read Blocks': z.number() }) }));

/**
 * Shared buffers the statement's execution touched (hit or read; planning not counted: the service
 * prepares its statement once per connection), from EXPLAIN (ANALYZE, BUFFERS) of it prepared with
 * these values, on a connection that has run it once.
 */
export async function executionBuffers(pool: Pool, statement: { text: string; types: string[] }, values: unknown[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query(`prepare measured_statement (${statement.types.join(', ')}) as ${statement.text}`);
    // EXPLAIN takes no parameters: the values go in as quoted literals.
    const literals = values.map((value) => client.escapeLiteral(String(value))).join(', ');
    // Once unmeasured, as on the service's long-lived connections: a hash index's metapage is read once
    // per connection and then kept with the relation's cache entry.
    await client.query(`execute measured_statement (${literals})`);
    const { rows } = await client.query(`explain (analyze, buffers, format json) execute measured_statement (${literals})`);
    const [plan] = explained.parse(rows[0]['QUERY PLAN']);
    return plan!.Plan['Shared Hit Blocks'] + plan!.Plan['Shared Read Blocks'];
  } finally {
    await client.query('deallocate measured_statement').catch(() => undefined);
    client.release();
  }
}

/** Bytes of every table a call is stored in (heap, TOAST and indexes) over the calls stored; 0 when none. */
export async function bytesPerStoredCall(pool: Pool): Promise<{ bytes: number; calls: number; bytesPerCall: number }> {
  const { rows } = await pool.query(
    `select (select sum(pg_total_relation_size(name::regclass)) from unnest($1::text[]) as tables (name))::bigint as bytes,
            (select count(*) from calls)::bigint as calls`,
    [[...CALL_TABLES, ...READ_MODEL_TABLES]],
  );
  const { bytes, calls } = z.object({ bytes: z.number(), calls: z.number() }).parse(rows[0]);
  return { bytes, calls, bytesPerCall: calls === 0 ? 0 : Math.round(bytes / calls) };
}
