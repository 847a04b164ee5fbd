import { MAX_RETENTION_DAYS, setRetentionDays } from '../../../shared/tenants/retention.ts';
import { defineCommand, UsageError } from '../command.ts';
import { withDatabase } from '../database.ts';
import { decimalOption } from '../values.ts';
import { tenantIdArgument } from './tenant-id.ts';

export const setCommand = defineCommand({
  name: 'set',
  summary: "change a tenant's settings: --retention-days",
  arguments: ['TENANT_ID'],
  options: {
    'retention-days': {
      type: 'string',
      value: 'N|none',
      description: `keep calls N days (1 to ${MAX_RETENTION_DAYS}) after their callStartTime; none: for ever`,
    },
  },
  synopsis: 'TENANT_ID --retention-days N|none',
  description: [
    'Changes the tenant and prints it as tenants list does.',
    '--retention-days is enforced by the consumer, which deletes the calls older than that every',
    'RETENTION_INTERVAL_MS (retention run does it at once). A new tenant has none: its calls are kept for ever.',
  ].join('\n'),
  async run({ args, options }, context) {
    const retention = options['retention-days'];
    if (retention === undefined) throw new UsageError('nothing to set: give --retention-days');
    const days = retention === 'none' ? null : decimalOption('retention-days', retention, 1, MAX_RETENTION_DAYS);
    const tenantId = tenantIdArgument(args[0]!);
    context.print(await withDatabase(context.config(), (db) => setRetentionDays(db, tenantId, days)));
  },
});
