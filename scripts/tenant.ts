import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../shared/config.ts';
import { createPool } from '../shared/db/pool.ts';
import { isTimeZone } from '../shared/local-time.ts';
import { exitOnStartupFailure, needPostgres } from '../shared/startup-error.ts';
import { createTenantRepository, isTenantId, TenantExistsError } from '../shared/tenants/repository.ts';
import { prepareDatabase } from './prepare.ts';

/**
 * npm run tenant -- create --name NAME [--timezone ZONE] [--tenant-id UUID --access-token TOKEN]
 * Prints one JSON line with the tenant id and its two tokens. Only their hashes are stored: this is the
 * one time the tokens are shown. A tenant moving over from commubo keeps its tenant id and access token,
 * so its API clients only change the base URL.
 */
const USAGE = 'usage: npm run tenant -- create --name NAME [--timezone ZONE] [--tenant-id UUID] [--access-token TOKEN]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      timezone: { type: 'string', default: 'Asia/Tokyo' },
      'tenant-id': { type: 'string' },
      'access-token': { type: 'string' },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const { positionals, values } = parsed;
if (positionals[0] !== 'create' || positionals.length !== 1) fail('the only command is "create"');
if (!values.name?.trim()) fail('--name is required');
if (!isTimeZone(values.timezone!)) fail(`--timezone ${values.timezone} is not an IANA time zone`);
const tenantId = values['tenant-id']?.toLowerCase();
if (tenantId !== undefined && !isTenantId(tenantId)) fail(`--tenant-id ${tenantId} is not a UUID`);
const accessToken = values['access-token'];
if (accessToken !== undefined && accessToken.length < 16) fail('--access-token must be at least 16 characters');

const name = values.name.trim();

const config = loadConfigOrExit(process.env);
const db = createPool(config.DATABASE_URL, 1, 'callstream-tenant-cli');
try {
  const created = await needPostgres(config.DATABASE_URL, async () => {
    await prepareDatabase(config);
    return createTenantRepository(db).create({
      name,
      timezone: values.timezone!,
      ...(tenantId ? { tenantId } : {}),
      ...(accessToken ? { accessToken } : {}),
    });
  });
  process.stdout.write(`${JSON.stringify(created)}\n`);
} catch (error) {
  if (error instanceof TenantExistsError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  } else {
    await exitOnStartupFailure(error);
  }
} finally {
  await db.end();
}
