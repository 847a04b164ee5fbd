import { RETENTION_BATCH_SIZE, runRetention } from '../../../shared/calls/retention-run.ts';
import { isTenantId } from '../../../shared/tenants/repository.ts';
import { CommandFailure, defineCommand } from '../command.ts';
import { withDatabase } from '../database.ts';
import { shown } from '../values.ts';

export const runCommand = defineCommand({
  name: 'run',
  summary: "delete now the calls older than their tenant's retention (what the consumer does every RETENTION_INTERVAL_MS)",
  arguments: [],
  options: {
    tenant: { type: 'string', value: 'ID', description: "only this tenant's calls (a tenant id); default: every tenant with a retention" },
  },
  synopsis: '[--tenant ID]',
  description: [
    "Deletes every call whose callStartTime is more than the tenant's retention days ago (tenants set",
    `--retention-days), with all its rows, in batches of ${RETENTION_BATCH_SIZE} calls, each its own short transaction,`,
    'oldest first; a call the consumer is writing at that moment is left for the next run. Prints one line:',
    '{"deletedCalls":N,"tenants":[{"tenantId":…,"retentionDays":N|null,"deletedBefore":ISO time|null,"deletedCalls":N}]}',
    'The consumer runs the same job every RETENTION_INTERVAL_MS (default an hour); runs at the same time',
    'share the work. A tenant without a retention keeps its calls (retentionDays null, nothing deleted).',
  ].join('\n'),
  async run({ options }, context) {
    let tenantId: string | undefined;
    if (options.tenant !== undefined) {
      if (!isTenantId(options.tenant)) throw new CommandFailure('INVALID_TENANT_ID', `--tenant ${shown(options.tenant)} is not a UUID`);
      tenantId = options.tenant.toLowerCase();
    }
    context.print(await withDatabase(context.config(), (db) => runRetention(db, tenantId === undefined ? {} : { tenantId })));
  },
});
