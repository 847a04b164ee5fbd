import type { Pool } from '../../shared/db/pool.ts';
import { CALL_TABLES, READ_MODEL_TABLES } from '../../kit/test-database.ts';
import { writableColumns } from './database.ts';

/**
 * Bulk-loads `stored` calls by SQL, not through the pipeline: the rows of the `source.count` calls the
 * consumer wrote (named callIdOf(source.prefix, i)) are replicated with generate_series under new ids
 * callIdOf(prefix, r * source.count + i), so every stored call has the shape of a real one (its raw
 * callback, its sessions, lines, labels, variables and recordings). Foreign-key triggers are skipped
 * for the load (session_replication_role = replica): the rows are consistent by construction.
 */
export interface BulkLoad {
  tenantId: string;
  source: { prefix: string; count: number };
  prefix: string;
  stored: number;
  /** Replicas per statement: one statement is one transaction. */
  replicasPerStatement: number;
  progress(line: string): void;
}

export async function bulkLoadCalls(pool: Pool, load: BulkLoad): Promise<void> {
  const client = await pool.connect();
  try {
    await client
      .query('set session_replication_role = replica')
      .catch(() => load.progress('not a superuser: foreign keys are checked during the load'));
    const columns: Record<string, string[]> = {};
    for (const table of CALL_TABLES) {
      columns[table] = await writableColumns(pool, table);
      // The hex index of the source call (its id's last 12 digits), next to a copy of its rows.
      await client.query(
        `create temp table source_${table} as
         select *, ('x' || right(call_id, 12))::bit(48)::bigint as source_index from ${table}
         where tenant_id = $1::uuid and left(call_id, 24) = $2`,
        [load.tenantId, load.source.prefix],
      );
    }
    const replicas = Math.ceil(load.stored / load.source.count);
    for (let first = 0; first < replicas; first += load.replicasPerStatement) {
      const last = Math.min(replicas, first + load.replicasPerStatement) - 1;
      for (const table of CALL_TABLES) {
        const select = columns[table]!.map((column) =>
          column === 'call_id' ? `$1 || lpad(to_hex(replica * $2 + source.source_index), 12, '0')` : `source.${column}`,
        );
        await client.query(
          `insert into ${table} (${columns[table]!.join(', ')})
           select ${select.join(', ')}
           from source_${table} source cross join generate_series($3::int, $4::int) replica
           where replica * $2 + source.source_index < $5`,
          [load.prefix, load.source.count, first, last, load.stored],
        );
      }
      load.progress(`bulk load: ${Math.min(load.stored, (last + 1) * load.source.count)} of ${load.stored} calls`);
    }
    for (const table of CALL_TABLES) await client.query(`drop table source_${table}`);
    // The replicas share their source call's contact: each contact's first and last stored time, from all of them.
    await client.query(
      `insert into contacts (tenant_id, customer_id, first_stored_at, last_stored_at)
       select tenant_id, customer_id, min(received_at), max(received_at) from calls
       where tenant_id = $1::uuid and customer_id is not null group by tenant_id, customer_id
       on conflict (tenant_id, customer_id) do update
         set first_stored_at = excluded.first_stored_at, last_stored_at = excluded.last_stored_at`,
      [load.tenantId],
    );
    await client.query('set session_replication_role = origin').catch(() => undefined);
  } finally {
    client.release();
  }
  // Stored data in a steady state is vacuumed and analysed: measure that, not autovacuum catching up.
  for (const table of [...CALL_TABLES, ...READ_MODEL_TABLES]) await pool.query(`vacuum (analyze) ${table}`);
}
