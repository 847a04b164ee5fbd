import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { callReadModelBackfill } from './backfills/call-read-model.ts';
import { BACKFILL_START, type Backfill } from './backfills/backfill.ts';
import type { Pool, PoolClient } from './pool.ts';

/**
 * Applies the numbered, append-only SQL files in ./migrations that the database has not seen, each in its
 * own transaction, recording them in schema_migrations; a file's back-fill (./backfills) runs right after
 * it, in batches, and is recorded by its own name once through. An advisory lock lets several services
 * start at once without racing.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 7_384_211;
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;
const BACKFILLS: readonly Backfill[] = [callReadModelBackfill];

export interface MigrateOptions {
  /** Rows per back-fill transaction. */
  backfillBatchSize?: number;
  /** Stop after this file (and its back-fill): a staged upgrade, or a database as an older version left it. */
  through?: string;
}

/** Runs the back-fill batch after batch until one takes fewer rows than the limit; returns the rows changed. */
async function runBackfill(client: PoolClient, backfill: Backfill, limit: number): Promise<number> {
  let after = BACKFILL_START;
  let changed = 0;
  for (;;) {
    await client.query('begin');
    try {
      const batch = await backfill.batch(client, after, limit);
      await client.query('commit');
      changed += batch.changed;
      if (batch.next === null || batch.taken < limit) return changed;
      after = batch.next;
    } catch (error) {
      await client.query('rollback');
      throw new Error(`back-fill ${backfill.name} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((name) => FILE_NAME.test(name)).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      version text primary key,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: string }>('select version from schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    for (const file of files.filter((name) => options.through === undefined || name <= options.through!)) {
      if (done.has(file)) {
        await runPendingBackfills(client, file, done, options, applied);
        continue;
      }
      const sql = await readFile(MIGRATIONS_DIR + file, 'utf8');
      try {
        await client.query('begin');
        await client.query(sql);
        await client.query('insert into schema_migrations (version) values ($1)', [file]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file);
      await runPendingBackfills(client, file, done, options, applied);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    client.release();
  }
  return applied;
}

async function runPendingBackfills(
  client: PoolClient,
  file: string,
  done: ReadonlySet<string>,
  options: MigrateOptions,
  applied: string[],
): Promise<void> {
  for (const backfill of BACKFILLS.filter((candidate) => candidate.after === file && !done.has(candidate.name))) {
    await runBackfill(client, backfill, options.backfillBatchSize ?? 1_000);
    await client.query('insert into schema_migrations (version) values ($1)', [backfill.name]);
    applied.push(backfill.name);
  }
}

/** Creates the database named in the URL when it does not exist yet (connecting to `postgres`). */
export async function ensureDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}
