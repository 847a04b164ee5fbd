import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../shared/db/migrate.ts';
import { createPool, type Pool } from '../shared/db/pool.ts';

/**
 * Databases of their own on the machine's Postgres, for tests, chaos runs and bench runs: created fresh
 * (migrated, or cloned from a migrated template), each with its own pool, and dropped again. Other
 * people's databases on the same server are never touched.
 */
/** The tables the consumer writes a call into (migrations/0001_calls.sql), parent first. */
export const CALL_TABLES = ['calls', 'call_instances', 'dialogue_lines', 'call_labels', 'call_variables', 'call_recordings'] as const;
export type CallTable = (typeof CALL_TABLES)[number];
/** The read model the consumer keeps beside the calls (migrations/0007_call_read_model.sql). */
export const READ_MODEL_TABLES = ['contacts'] as const;

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  /**
   * Closes the pool and drops the database. With failOnLeak (the default for clones) it fails if anything
   * else still held a connection, so that a test which leaves a client open is noticed.
   */
  drop(): Promise<void>;
}

export interface DatabaseOptions {
  /** The database name starts with this (a random suffix follows). */
  prefix?: string;
  poolSize?: number;
  /** application_name of the pool's connections. */
  applicationName?: string;
  failOnLeak?: boolean;
  /** Migrate only this far (migrate's `through`): a database as an older version of the schema left it. */
  migrateThrough?: string;
}

/** The same server and credentials, another database. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database with the migrations applied: the template of a test run, or a chaos or bench database. */
export async function createMigratedDatabase(adminUrl: string, options: DatabaseOptions = {}): Promise<TestDatabase> {
  const name = `${options.prefix ?? 'callstream_test'}_${randomBytes(4).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${pg.escapeIdentifier(name)}`));
  const database = openDatabase(adminUrl, name, { failOnLeak: false, ...options });
  await migrate(database.pool, { through: options.migrateThrough });
  return database;
}

/** The migrated template a test run clones for each test file; only its name is kept. */
export async function createTemplateDatabase(adminUrl: string): Promise<string> {
  const template = await createMigratedDatabase(adminUrl, {
    prefix: 'callstream_test_template',
    poolSize: 1,
    applicationName: 'callstream-test-migrate',
  });
  await closePool(adminUrl, template.pool, template.name);
  return template.name;
}

/** A fresh clone of the template: migrated, empty, and cheap to make. */
export async function createTestDatabase(adminUrl: string, template: string, options: DatabaseOptions = {}): Promise<TestDatabase> {
  const name = `${options.prefix ?? 'callstream_test'}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) =>
    client.query(`create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(template)}`),
  );
  return openDatabase(adminUrl, name, options);
}

function openDatabase(adminUrl: string, name: string, options: DatabaseOptions): TestDatabase {
  const url = databaseUrl(adminUrl, name);
  const pool = createPool(url, options.poolSize ?? 5, options.applicationName ?? 'callstream-test');
  return {
    name,
    url,
    pool,
    async drop() {
      const leaked = await closePool(adminUrl, pool, name);
      await dropDatabase(adminUrl, name);
      if ((options.failOnLeak ?? true) && leaked.length > 0) {
        throw new Error(`test leaked ${leaked.length} connection(s) to ${name}: ${leaked.join(', ')}`);
      }
    },
  };
}

/** Drops the database even while clients are still connected to it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
}

/**
 * Ends the pool and waits until the server has let its connections go: pg-pool's end() resolves before
 * the server sees them close, so a drop right after would still count them (and a leak check would fail
 * at random). With an application name, only that pool's connections are waited for. Returns the
 * application names of the connections to the database still open after about five seconds.
 */
export async function closePool(adminUrl: string, pool: Pool, database: string, applicationName?: string): Promise<string[]> {
  await pool.end();
  return withAdmin(adminUrl, async (client) => {
    const connected = async () =>
      (
        await client.query<{ application_name: string }>(
          'select application_name from pg_stat_activity where datname = $1 and ($2::text is null or application_name = $2)',
          [database, applicationName ?? null],
        )
      ).rows.map((row) => row.application_name);
    let names = await connected();
    for (let attempt = 0; names.length > 0 && attempt < 100; attempt += 1) {
      await new Promise((done) => setTimeout(done, 50));
      names = await connected();
    }
    return names;
  });
}
