import { setTenantStatus } from '../../../shared/tenants/status.ts';
import { defineCommand } from '../command.ts';
import { withDatabase } from '../database.ts';
import { tenantIdArgument } from './tenant-id.ts';

export const enableCommand = defineCommand({
  name: 'enable',
  summary: 'switch a disabled tenant back on, with the tokens it had',
  arguments: ['TENANT_ID'],
  options: {},
  synopsis: 'TENANT_ID',
  description: [
    'Enables the tenant and prints it as tenants list does. Its senders and API clients are accepted again',
    'with the tokens they had, by every running service within TENANT_CACHE_TTL_MS. Enabling an active',
    'tenant changes nothing.',
  ].join('\n'),
  async run({ args }, context) {
    const tenantId = tenantIdArgument(args[0]!);
    context.print(await withDatabase(context.config(), (db) => setTenantStatus(db, tenantId, 'active')));
  },
});
