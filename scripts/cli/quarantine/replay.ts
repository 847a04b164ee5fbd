import type { Pool } from '../../../shared/db/pool.ts';
import { createTenantRepository, type TenantStatus } from '../../../shared/tenants/repository.ts';
import { defineCommand } from '../command.ts';
import { withDatabase } from '../database.ts';
import { withKafka } from '../kafka.ts';
import { republish } from '../republish.ts';
import { readQuarantineFile } from './from-file.ts';
import {
  checkFilterTenant,
  FILTER_OPTIONS,
  FILTER_SYNOPSIS,
  quarantineFilter,
  readQuarantine,
  selectQuarantined,
  type QuarantineRead,
} from './quarantined.ts';
import { decideReplay, type Refusal, type ReplayMessage } from './replay-decision.ts';

export const replayCommand = defineCommand({
  name: 'replay',
  summary: 'check quarantined callbacks against the current schema and publish those that now pass',
  arguments: [],
  options: {
    ...FILTER_OPTIONS,
    'from-file': {
      type: 'string',
      value: 'FILE',
      description: 'replay the records of this file (as export wrote it, perhaps fixed) instead of the topic',
    },
    'dry-run': { type: 'boolean', description: 'check and report, publish nothing' },
  },
  synopsis: `${FILTER_SYNOPSIS} [--from-file FILE] [--dry-run]`,
  description: [
    'Checks each quarantined callback (from the quarantine topic, TOPIC_REJECTED, or from --from-file) as',
    'the ingress would check it today (the tenant active, the size limits, the same decoding and schema) and',
    'publishes each one that passes to the call-records topic (TOPIC_CALL_RECORDS) exactly as the ingress',
    'would have: the same envelope, key and headers, with its original tenant and receivedAt, and the eventId',
    'of its quarantine record (the one the sender got in its 422). Then prints one summary line:',
    '{"dryRun":false,"replayed":N,"refused":M,"refusals":[{"eventId":…,"tenantId":…,"receivedAt":…,"code":…,',
    '"message":…,"issues":[…]}]}; with --dry-run nothing is published and "replayed" counts what would be.',
    'A file is checked whole first: a line that is not JSON or not a quarantined record stops the command',
    '(exit 1) and nothing is published. Replaying a callback again is harmless: the consumer keeps one row',
    'per call, the delivery with the newest receivedAt, and a callback received since wins over its replay.',
  ].join('\n'),
  async run({ options }, context) {
    const filter = quarantineFilter(options);
    const file = options['from-file'];
    const fromFile = file === undefined ? undefined : await readQuarantineFile(file);
    const config = context.config();
    const summary = await withDatabase(config, async (db) => {
      await checkFilterTenant(db, filter);
      return withKafka(config, async (kafka) => {
        const read: QuarantineRead = fromFile
          ? { records: selectQuarantined(filter, fromFile), unreadable: [] }
          : await readQuarantine(kafka, config, filter);
        const statusOf = tenantStatuses(db);
        const messages: ReplayMessage[] = [];
        const refusals: Refusal[] = read.unreadable.map(({ partition, offset, reason }) => ({
          partition,
          offset,
          code: 'NOT_A_QUARANTINED_CALLBACK' as const,
          message: reason,
        }));
        for (const { record } of read.records) {
          const decision = decideReplay(record, await statusOf(record.tenantId), config);
          if (decision.kind === 'replay') messages.push(decision.message);
          else refusals.push(decision.refusal);
        }
        if (!options['dry-run']) await republish(kafka, config.TOPIC_CALL_RECORDS, messages, config);
        return { dryRun: options['dry-run'] === true, replayed: messages.length, refused: refusals.length, refusals };
      });
    });
    context.print(summary);
  },
});

/** Each tenant's status, asked once per replay. */
function tenantStatuses(db: Pool): (tenantId: string) => Promise<TenantStatus | undefined> {
  const repository = createTenantRepository(db);
  const known = new Map<string, TenantStatus | undefined>();
  return async (tenantId) => {
    if (!known.has(tenantId)) known.set(tenantId, (await repository.find(tenantId))?.status);
    return known.get(tenantId);
  };
}
