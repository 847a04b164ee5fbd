import type { Config } from '../../shared/config.ts';
import { sqlState } from '../../shared/db/errors.ts';
import { createPool, type Pool } from '../../shared/db/pool.ts';
import { displayDatabaseUrl, needPostgres } from '../../shared/startup-error.ts';
import { CommandFailure } from './command.ts';

/** 42P01 undefined table, 42703 undefined column: the tables are older than this code. */
const NOT_MIGRATED = new Set(['42P01', '42703']);

/**
 * Runs a command's work on one connection to DATABASE_URL and closes it. Postgres unreachable or refusing
 * is the one line every entry point prints (needPostgres); a schema older than this code says to run
 * `npm run setup`, which migrates. A command other than `tenants create` never creates or migrates the
 * database itself: a mistyped DATABASE_URL must not come back as an empty, freshly made database.
 */
export async function withDatabase<T>(config: Config, use: (db: Pool) => Promise<T>): Promise<T> {
  const db = createPool(config.DATABASE_URL, 1, 'callstream-cli');
  try {
    return await needPostgres(config.DATABASE_URL, () =>
      use(db).catch((error: unknown) => {
        if (!NOT_MIGRATED.has(sqlState(error) ?? '')) throw error;
        throw new CommandFailure(
          'DATABASE_NOT_MIGRATED',
          `the database at ${displayDatabaseUrl(config.DATABASE_URL)} (DATABASE_URL) is not migrated to this version: run npm run setup`,
        );
      }),
    );
  } finally {
    await db.end();
  }
}
