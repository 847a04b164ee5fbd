import { isTimeZone } from '../../../shared/local-time.ts';
import { createTenantRepository, isTenantId } from '../../../shared/tenants/repository.ts';
import { prepareDatabase } from '../../prepare.ts';
import { defineCommand, UsageError } from '../command.ts';
import { withDatabase } from '../database.ts';

/**
 * Creates a tenant and prints its id and two tokens once: only their hashes are stored. A tenant moving
 * over from commubo keeps its tenant id and access token, so its API clients only change the base URL.
 * Like npm run setup, it creates the database and applies the migrations first.
 */
export const createCommand = defineCommand({
  name: 'create',
  summary: 'create a tenant and print its id and tokens (shown this once)',
  arguments: [],
  options: {
    name: { type: 'string', value: 'NAME', description: "the tenant's name (required)" },
    timezone: {
      type: 'string',
      value: 'ZONE',
      default: 'Asia/Tokyo',
      description: "IANA time zone the callbacks' local times are read in, and the API answers in (default Asia/Tokyo)",
    },
    'tenant-id': { type: 'string', value: 'UUID', description: 'keep this id (a tenant moving over from commubo); default: a new one' },
    'access-token': {
      type: 'string',
      value: 'TOKEN',
      description: 'keep this access token (at least 16 characters; a tenant moving over); default: a new one',
    },
  },
  synopsis: '--name NAME [--timezone ZONE] [--tenant-id UUID] [--access-token TOKEN]',
  description: [
    'Creates a tenant and prints one line: {"tenantId":…,"ingestToken":…,"accessToken":…}.',
    'This is the only time the tokens are shown: only their SHA-256 hashes are stored.',
    'Senders present the ingest token to the ingress, API clients the access token to the query service.',
    'Creates the database and applies the migrations first, as npm run setup does.',
    'An existing --tenant-id is a failure (exit 1): "tenant <id> already exists".',
  ].join('\n'),
  async run({ options }, context) {
    const name = options.name?.trim();
    if (!name) throw new UsageError('--name is required');
    const timezone = options.timezone!;
    if (!isTimeZone(timezone)) throw new UsageError(`--timezone ${timezone} is not an IANA time zone`);
    const tenantId = options['tenant-id']?.toLowerCase();
    if (tenantId !== undefined && !isTenantId(tenantId)) throw new UsageError(`--tenant-id ${tenantId} is not a UUID`);
    const accessToken = options['access-token'];
    if (accessToken !== undefined && accessToken.length < 16) throw new UsageError('--access-token must be at least 16 characters');

    const config = context.config();
    const created = await withDatabase(config, async (db) => {
      await prepareDatabase(config);
      return createTenantRepository(db).create({
        name,
        timezone,
        ...(tenantId ? { tenantId } : {}),
        ...(accessToken ? { accessToken } : {}),
      });
    });
    context.print(created);
  },
});
