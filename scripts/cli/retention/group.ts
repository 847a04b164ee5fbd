import { TenantNotFoundError } from '../../../shared/tenants/repository.ts';
import type { CommandGroup } from '../command.ts';
import { runCommand } from './run.ts';

export const retentionGroup: CommandGroup = {
  name: 'retention',
  summary: "delete the calls older than their tenant's retention, now",
  description: [
    "A tenant's retention (tenants set --retention-days N) is how many days its calls are kept, counted from",
    'their callStartTime. The consumer deletes the older ones every RETENTION_INTERVAL_MS; run deletes them now.',
  ].join('\n'),
  commands: [runCommand],
  failures: [TenantNotFoundError],
};
