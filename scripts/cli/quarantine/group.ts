import { TenantNotFoundError } from '../../../shared/tenants/repository.ts';
import type { CommandGroup } from '../command.ts';
import { exportCommand } from './export.ts';
import { listCommand } from './list.ts';
import { replayCommand } from './replay.ts';

export const quarantineGroup: CommandGroup = {
  name: 'quarantine',
  summary: 'list, export and replay the callbacks refused with 422 (the quarantine topic)',
  description: [
    'A callback the ingress refused with 422 is kept on the quarantine topic (TOPIC_REJECTED) with why, its',
    'body exactly as posted. Once the schema is fixed, or the body (export, fix, replay --from-file), replay',
    'publishes what now passes to the call-records topic with its original receivedAt.',
  ].join('\n'),
  commands: [listCommand, exportCommand, replayCommand],
  failures: [TenantNotFoundError],
};
