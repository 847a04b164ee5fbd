import { readFileSync } from 'node:fs';
import type { Producer } from 'kafkajs';
import { createEnvelope, recordHeaders, recordKey, type Envelope } from '../../shared/callback/envelope.ts';
import { parseCallback } from '../../shared/callback/schema.ts';

/**
 * Callbacks for consumer tests: the seed-000 sample and variations of it with different numbers of
 * sessions, lines, labels, variables and recordings, wrapped in envelopes the way the ingress publishes
 * them. expectedCounts() is an oracle written independently of the flattening code.
 */
export type RawCallback = Record<string, unknown> & { callId: string };

export function seedCallback(): RawCallback {
  return JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
}

export function callIdOf(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** Call number `index`, in version `version` (a later version of a call says something else). */
export function variantCallback(index: number, version = 0): RawCallback {
  const seed = seedCallback();
  const callId = callIdOf(index);
  const [template] = seed.instances as Record<string, unknown>[];
  const [lineTemplate] = (template!.dialogueContentList as Record<string, unknown>[])!;
  const instances = Array.from({ length: index % 3 }, (_, k) => ({
    ...template,
    callId,
    instanceId: 1_622_255_025_121_140 + index * 10 + k,
    robotDefId: 30_000 + (index % 4),
    robotName: `scenario ${index % 4}`,
    dialogueRound: (index + version + k) % 5,
    dialogueDuration: 10 + k + version,
    labelInfoList: Array.from({ length: (index + k) % 2 }, (_, j) => ({ name: `tag ${j} v${version}` })),
    dialogueContentList: Array.from({ length: 1 + ((index + version + k) % 3) }, (_, j) => ({
      ...lineTemplate,
      callId,
      dialogueRole: j % 2 === 0 ? 1 : 2,
      dialogueStartTime: `2021-05-29 10:23:${String(43 + j).padStart(2, '0')}`,
      dialogueContent: `line ${j} of call ${index}, version ${version}`,
      matchType: j === 0 ? null : 6,
    })),
  }));
  return {
    ...seed,
    callId,
    callStartTime: `2021-05-${String(1 + (index % 28)).padStart(2, '0')} ${String(index % 24).padStart(2, '0')}:23:43`,
    callEndTime: `2021-05-${String(1 + (index % 28)).padStart(2, '0')} ${String(index % 24).padStart(2, '0')}:23:57`,
    callDuration: index % 5 === 0 ? 0 : 14 + version,
    calledResult: index % 5 === 0 ? 1 : 2,
    remark: `version ${version}`,
    intentionLabelKey: ['A', 'B', 'C'][index % 3],
    labelInfos: Array.from({ length: (index + version) % 3 }, (_, j) => `label ${j}`),
    robotNames: instances.map((instance) => instance.robotName),
    instances,
    variables: Array.from({ length: index % 3 }, (_, j) => ({ variableName: `v${j}`, variableValue: `${index}-${version}` })),
    allRecordUrl: Array.from({ length: (index + 1) % 2 }, () => ({ recordUrl: `https://rec.example/${callId}.mp3`, recordType: 'ivr' })),
  };
}

export function envelopeOf(tenantId: string, raw: RawCallback, eventId: string, receivedAt: Date): Envelope {
  const parsed = parseCallback(raw);
  if (!parsed.ok) throw new Error(`test callback is invalid: ${JSON.stringify(parsed.issues)}`);
  return createEnvelope(tenantId, parsed.callback, eventId, receivedAt);
}

/** Publishes as the ingress does: same key, value and headers. */
export async function publishEnvelopes(producer: Producer, topic: string, envelopes: Envelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  await producer.send({
    topic,
    acks: -1,
    messages: envelopes.map((envelope) => ({
      key: recordKey(envelope.tenantId, envelope.callback.callId),
      value: JSON.stringify(envelope),
      headers: recordHeaders(envelope),
    })),
  });
}

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
