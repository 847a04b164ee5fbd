import { rotateToken, MAX_GRACE_SECONDS } from '../../../shared/tenants/rotation.ts';
import { defineCommand, UsageError } from '../command.ts';
import { withDatabase } from '../database.ts';
import { choiceOption, decimalOption } from '../values.ts';
import { tenantIdArgument } from './tenant-id.ts';

export const rotateTokenCommand = defineCommand({
  name: 'rotate-token',
  summary: "replace a tenant's ingest or access token; the old one may keep working for a grace period",
  arguments: ['TENANT_ID'],
  options: {
    kind: {
      type: 'string',
      value: 'ingest|access',
      description: "which token: the senders' (ingest) or the API clients' (access); required",
    },
    'grace-seconds': {
      type: 'string',
      value: 'N',
      default: '0',
      description: `how long the old token keeps working, 0 to ${MAX_GRACE_SECONDS} (30 days); default 0: it stops now`,
    },
  },
  synopsis: 'TENANT_ID --kind ingest|access [--grace-seconds N]',
  description: [
    'Gives the tenant a new ingest or access token and prints it this once (only its hash is stored):',
    '{"tenantId":…,"kind":"ingest"|"access","token":…,"previousTokenValidUntil":ISO time|null}',
    'The new token is accepted at once by a service that has not cached the tenant, and by every running',
    'service within TENANT_CACHE_TTL_MS. The old token stops then too, unless --grace-seconds keeps it',
    'working until previousTokenValidUntil (measured by the database clock): give the senders or clients',
    "the new token within that time. A rotation during another one's grace period ends that period: only",
    'the token just replaced keeps working.',
  ].join('\n'),
  async run({ args, options }, context) {
    if (options.kind === undefined) throw new UsageError('--kind is required');
    const kind = choiceOption('kind', options.kind, ['ingest', 'access']);
    const graceSeconds = decimalOption('grace-seconds', options['grace-seconds']!, 0, MAX_GRACE_SECONDS);
    const tenantId = tenantIdArgument(args[0]!);
    context.print(await withDatabase(context.config(), (db) => rotateToken(db, tenantId, kind, graceSeconds)));
  },
});
