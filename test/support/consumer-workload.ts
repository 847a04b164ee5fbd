import type { Envelope } from '../../shared/callback/envelope.ts';
import { envelopeOf, variantCallback } from '../../kit/callbacks.ts';

/**
 * Workloads for consumer tests, built from kit/callbacks.ts's variations of the seed-000 sample, and
 * expectedCounts(): an oracle of the rows they must leave, written independently of the flattening code.
 */
export const CONSUMER_TABLES = ['calls', 'call_instances', 'dialogue_lines', 'call_labels', 'call_variables', 'call_recordings'] as const;
export type ConsumerTable = (typeof CONSUMER_TABLES)[number];

/** Rows per table once every call holds its newest delivery (latest receivedAt; a tie goes to the later one). */
export function expectedCounts(envelopes: Envelope[]): Record<ConsumerTable, number> {
  const newest = new Map<string, Envelope>();
  for (const envelope of envelopes) {
    const key = `${envelope.tenantId}/${envelope.callback.callId}`;
    const seen = newest.get(key);
    if (!seen || Date.parse(seen.receivedAt) <= Date.parse(envelope.receivedAt)) newest.set(key, envelope);
  }
  const counts = { calls: 0, call_instances: 0, dialogue_lines: 0, call_labels: 0, call_variables: 0, call_recordings: 0 };
  for (const { callback } of newest.values()) {
    const instances = callback.instances ?? [];
    counts.calls += 1;
    counts.call_instances += instances.length;
    counts.dialogue_lines += instances.reduce((sum, instance) => sum + (instance.dialogueContentList?.length ?? 0), 0);
    counts.call_labels +=
      (callback.labelInfos?.length ?? 0) + instances.reduce((sum, instance) => sum + (instance.labelInfoList?.length ?? 0), 0);
    counts.call_variables += callback.variables?.length ?? 0;
    counts.call_recordings += callback.allRecordUrl?.length ?? 0;
  }
  return counts;
}

/**
 * A redelivery-heavy stream over `calls` calls and the given tenants: every call once, a third of them
 * delivered again unchanged, a quarter updated to version 1, and some of those followed by a stale copy
 * of version 0 (an older receivedAt published after the newer one). receivedAt grows with the position.
 */
export function redeliveryWorkload(tenantIds: string[], calls: number, startAt = Date.parse('2026-01-01T00:00:00Z')): Envelope[] {
  const envelopes: Envelope[] = [];
  let clock = startAt;
  const at = () => new Date((clock += 1_000));
  const eventId = (n: number) => `10000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  for (let index = 0; index < calls; index += 1) {
    const tenantId = tenantIds[index % tenantIds.length]!;
    const first = at();
    envelopes.push(envelopeOf(tenantId, variantCallback(index, 0), eventId(envelopes.length), first));
    if (index % 3 === 0) envelopes.push(envelopeOf(tenantId, variantCallback(index, 0), eventId(envelopes.length), at()));
    if (index % 4 === 1) {
      envelopes.push(envelopeOf(tenantId, variantCallback(index, 1), eventId(envelopes.length), at()));
      if (index % 8 === 1) envelopes.push(envelopeOf(tenantId, variantCallback(index, 0), eventId(envelopes.length), first));
    }
  }
  return envelopes;
}
