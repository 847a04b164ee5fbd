import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../shared/config.ts';
import { ensureDatabase, migrate } from '../shared/db/migrate.ts';
import { createPool } from '../shared/db/pool.ts';
import { isTimeZone } from '../shared/local-time.ts';
import { createTenantRepository } from '../shared/tenants/repository.ts';

/**
 * npm run tenant -- create --name NAME [--timezone ZONE]
 * Prints one JSON line with the tenant id and its two tokens. Only their hashes are stored: this is the
 * one time the tokens are shown.
 */
const USAGE = 'usage: npm run tenant -- create --name NAME [--timezone ZONE]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, timezone: { type: 'string', default: 'Asia/Tokyo' } },
  });
} catch (error) {
  fail((error as Error).message);
}
const { positionals, values } = parsed;
if (positionals[0] !== 'create' || positionals.length !== 1) fail('the only command is "create"');
if (!values.name?.trim()) fail('--name is required');
if (!isTimeZone(values.timezone!)) fail(`--timezone ${values.timezone} is not an IANA time zone`);

const config = loadConfigOrExit(process.env);
await ensureDatabase(config.DATABASE_URL);
const db = createPool(config.DATABASE_URL, 1, 'callstream-tenant-cli');
try {
  await migrate(db);
  const created = await createTenantRepository(db).create({ name: values.name.trim(), timezone: values.timezone! });
  process.stdout.write(`${JSON.stringify(created)}\n`);
} finally {
  await db.end();
}
