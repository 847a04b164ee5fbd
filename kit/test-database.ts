import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../shared/db/migrate.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';

/** Databases for tests: a migrated template per run, and a fresh clone of it per test file. */
function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTemplateDatabase(adminUrl: string): Promise<string> {
  const name = `callstream_test_template_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, (client) => client.query(`create database ${name}`));
  const pool = createPool(withDatabase(adminUrl, name), 1, 'callstream-test-migrate');
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return name;
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await admin(adminUrl, (client) => client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  /** Closes the pool and drops the database; fails the test if anything else still holds a connection. */
  drop(): Promise<void>;
}

export async function createTestDatabase(adminUrl: string, template: string): Promise<TestDatabase> {
  const name = `callstream_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (client) => client.query(`create database ${name} template ${pg.escapeIdentifier(template)}`));
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, 5, 'callstream-test');
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      const leaked = await admin(adminUrl, async (client) => {
        const connected = async () =>
          (
            await client.query<{ application_name: string }>('select application_name from pg_stat_activity where datname = $1', [name])
          ).rows.map((row) => row.application_name);
        // pool.end() does not wait for the server to see its connections close: allow them a moment.
        let names = await connected();
        for (let attempt = 0; names.length > 0 && attempt < 40; attempt += 1) {
          await new Promise((done) => setTimeout(done, 50));
          names = await connected();
        }
        await client.query(`drop database ${pg.escapeIdentifier(name)} with (force)`);
        return names;
      });
      if (leaked.length > 0) throw new Error(`test leaked ${leaked.length} connection(s) to ${name}: ${leaked.join(', ')}`);
    },
  };
}
