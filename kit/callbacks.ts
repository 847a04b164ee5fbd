import { readFileSync } from 'node:fs';
import type { Message, Producer } from 'kafkajs';
import { createEnvelope, recordHeaders, recordKey, type Envelope } from '../shared/callback/envelope.ts';
import { parseCallback } from '../shared/callback/schema.ts';

/**
 * Callbacks that tests, chaos scenarios and bench stages generate: the seed-000 sample, and variations
 * of it with different numbers of sessions, lines, labels, variables and recordings, wrapped in
 * envelopes and published the way the ingress publishes them.
 */
export type RawCallback = Record<string, unknown> & { callId: string };

export function seedCallback(): RawCallback {
  return JSON.parse(readFileSync(new URL('../examples/seed-000-callback.json', import.meta.url), 'utf8'));
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
  if (!parsed.ok) throw new Error(`generated callback ${raw.callId} is invalid: ${JSON.stringify(parsed.issues)}`);
  return createEnvelope(tenantId, parsed.callback, eventId, receivedAt);
}

/** The record the ingress publishes for the envelope: same key, value and headers (docs/topic-contract.md). */
export function recordOf(envelope: Envelope): Message {
  return { key: recordKey(envelope.tenantId, envelope.callback.callId), value: JSON.stringify(envelope), headers: recordHeaders(envelope) };
}

/** Publishes as the ingress does, acks=all. */
export async function publishEnvelopes(producer: Producer, topic: string, envelopes: Envelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  await producer.send({ topic, acks: -1, messages: envelopes.map(recordOf) });
}
