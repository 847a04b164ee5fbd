import { setTenantStatus } from '../../../shared/tenants/status.ts';
import { defineCommand } from '../command.ts';
import { withDatabase } from '../database.ts';
import { tenantIdArgument } from './tenant-id.ts';

export const disableCommand = defineCommand({
  name: 'disable',
  summary: 'switch a tenant off: its senders get 401, its API clients 403; its data stays',
  arguments: ['TENANT_ID'],
  options: {},
  synopsis: 'TENANT_ID',
  description: [
    'Disables the tenant and prints it as tenants list does. Its senders then get 401 UNAUTHORIZED from',
    'the ingress (the same answer as a wrong token), its API clients 403 TENANT_DISABLED from the query',
    'service. Its stored calls stay, and callbacks accepted before are still written. Every running service',
    'applies it within TENANT_CACHE_TTL_MS. Disabling a disabled tenant changes nothing.',
  ].join('\n'),
  async run({ args }, context) {
    const tenantId = tenantIdArgument(args[0]!);
    context.print(await withDatabase(context.config(), (db) => setTenantStatus(db, tenantId, 'disabled')));
  },
});
