import { listTenants } from '../../../shared/tenants/tenant-summary.ts';
import { defineCommand } from '../command.ts';
import { withDatabase } from '../database.ts';

export const listCommand = defineCommand({
  name: 'list',
  summary: 'print every tenant: id, name, time zone, status, created, retention, signed (never a token or secret)',
  arguments: [],
  options: {},
  synopsis: '',
  description: [
    'Prints one line per tenant, oldest first:',
    '{"tenantId":…,"name":…,"timezone":…,"status":"active"|"disabled","createdAt":…,"retentionDays":N|null,',
    '"signatureRequired":true|false}',
    'No token, hash of one or signing secret is ever printed. No tenants: nothing is printed.',
  ].join('\n'),
  async run(_input, context) {
    const tenants = await withDatabase(context.config(), listTenants);
    for (const tenant of tenants) context.print(tenant);
  },
});
