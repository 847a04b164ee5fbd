import { eraseSelectedCalls, type ErasureSelector } from '../../../shared/calls/erase.ts';
import { MAX_CALL_ID_LENGTH, MAX_INDEXED_TEXT_LENGTH } from '../../../shared/callback/limits.ts';
import { DEFAULT_ERASURE_HASH_KEY } from '../../../shared/config.ts';
import { isTenantId } from '../../../shared/tenants/repository.ts';
import { CommandFailure, defineCommand, UsageError } from '../command.ts';
import { withDatabase } from '../database.ts';
import { shown } from '../values.ts';

export const callsCommand = defineCommand({
  name: 'calls',
  summary: "delete one call, or every call of a phone number, of a tenant, for good (a data subject's request)",
  arguments: [],
  options: {
    tenant: { type: 'string', value: 'ID', description: 'the tenant whose calls are erased (required)' },
    'call-id': { type: 'string', value: 'ID', description: 'erase this call' },
    'phone-number': {
      type: 'string',
      value: 'NUMBER',
      description: "erase every call with this fromNumber, toNumber, customerNumber or contact's mobile (exactly as sent)",
    },
    'dry-run': { type: 'boolean', description: 'count what would be deleted; change nothing' },
  },
  synopsis: '--tenant ID (--call-id ID | --phone-number NUMBER) [--dry-run]',
  description: [
    'Deletes the selected calls of the tenant with every row of theirs (sessions, dialogue lines, labels,',
    'variables, recordings) and prints one line:',
    '{"dryRun":false,"erasureId":…,"tenantId":…,"erasedAt":…,"selector":"call-id"|"phone-number",',
    ' "selectorHash":…,"deleted":{"calls":N,"call_instances":N,"dialogue_lines":N,"call_labels":N,',
    ' "call_variables":N,"call_recordings":N}}',
    "A phone number matches fromNumber, toNumber, customerNumber and the contact's mobile, exactly as the",
    'callback wrote them: give each form the platform sends (+81…, 0…) in a run of its own.',
    'The erasure is audited (table erasures: tenant, time, selector kind, HMAC-SHA-256 of the selector under',
    'ERASURE_HASH_KEY, the counts; never the number or the call id) and each erased call keeps a tombstone:',
    'the consumer never stores a delivery of it received before erasedAt again (a redelivery, a replay of',
    'the topic); one received later is stored as usual. A --call-id is tombstoned even when no such call is',
    'stored yet. With --dry-run, the counts of what would be deleted ({"dryRun":true,…}), and nothing is',
    'changed or audited. What an erasure cannot reach (the topics, subscribers): README, "Erasure".',
  ].join('\n'),
  async run({ options }, context) {
    if (options.tenant === undefined) throw new UsageError('--tenant is required');
    const selector = selectorOf(options['call-id'], options['phone-number']);
    if (!isTenantId(options.tenant)) throw new CommandFailure('INVALID_TENANT_ID', `--tenant ${shown(options.tenant)} is not a UUID`);
    const tenantId = options.tenant.toLowerCase();
    const dryRun = options['dry-run'] === true;
    const config = context.config();
    if (!dryRun && config.ERASURE_HASH_KEY === DEFAULT_ERASURE_HASH_KEY) {
      context.warn('ERASURE_HASH_KEY is not set: the audit row is hashed under the development key (see README, "Erasure")');
    }
    context.print(
      await withDatabase(config, (db) => eraseSelectedCalls(db, { tenantId, selector, dryRun, hashKey: config.ERASURE_HASH_KEY })),
    );
  },
});

/** Exactly one selector, not empty and not longer than a stored value can be. */
function selectorOf(callId: string | undefined, phoneNumber: string | undefined): ErasureSelector {
  if ((callId === undefined) === (phoneNumber === undefined)) throw new UsageError('give exactly one of --call-id and --phone-number');
  if (callId !== undefined) return { kind: 'call-id', callId: bounded('call-id', callId, MAX_CALL_ID_LENGTH) };
  return { kind: 'phone-number', phoneNumber: bounded('phone-number', phoneNumber!, MAX_INDEXED_TEXT_LENGTH) };
}

function bounded(option: string, value: string, max: number): string {
  if (value.length === 0) throw new UsageError(`--${option} must not be empty`);
  if ([...value].length > max) throw new UsageError(`--${option} is longer than ${max} characters: no stored call has such a value`);
  return value;
}
