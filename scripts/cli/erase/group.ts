import { TenantNotFoundError } from '../../../shared/tenants/repository.ts';
import type { CommandGroup } from '../command.ts';
import { callsCommand } from './calls.ts';

export const eraseGroup: CommandGroup = {
  name: 'erase',
  summary: "erase a tenant's calls for good, with an audit row and a tombstone per call (data-subject requests)",
  description: [
    'An erasure deletes calls with all their rows, and is newer than every delivery received before it: the',
    'consumer never brings an erased call back from a redelivery or a replay of the topic. Each erasure leaves',
    'an audit row that holds no personal data in clear (the selector as a keyed hash, ERASURE_HASH_KEY).',
  ].join('\n'),
  commands: [callsCommand],
  defaultCommand: 'calls',
  failures: [TenantNotFoundError],
};
