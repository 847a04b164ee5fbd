import { loadConfigOrExit } from '../shared/config.ts';
import { ensureDatabase, migrate } from '../shared/db/migrate.ts';
import { createPool } from '../shared/db/pool.ts';

/** npm run migrate: creates the database if needed and applies pending migrations. */
const config = loadConfigOrExit(process.env);
await ensureDatabase(config.DATABASE_URL);
const db = createPool(config.DATABASE_URL, 1, 'callstream-migrate');
try {
  const applied = await migrate(db);
  process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
} finally {
  await db.end();
}
