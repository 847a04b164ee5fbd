import { z } from 'zod';
import { callbackSchema, type Callback } from './schema.ts';

/**
 * What travels on `call-records.v1` (docs/topic-contract.md): the validated callback in the sender's own field
 * names, wrapped with who sent it and when it arrived. A breaking change means a new topic version.
 */
export const ENVELOPE_SCHEMA_VERSION = 1;

export const envelopeSchema = z
  .object({
    schemaVersion: z.literal(ENVELOPE_SCHEMA_VERSION),
    eventId: z.uuid().meta({ description: 'id of this delivery; a redelivered callback gets a new one' }),
    tenantId: z.string().min(1),
    receivedAt: z.iso.datetime({ offset: false }).meta({ description: 'when ingress received the callback, ISO 8601 UTC' }),
    callback: callbackSchema,
  })
  .meta({
    title: 'Call-record envelope',
    description: 'The value of every record on call-records.v1; key `{tenantId}:{callId}`.',
  });

export type Envelope = z.output<typeof envelopeSchema>;

export const ENVELOPE_CONTENT_TYPE = 'application/json';

/** The record key: every delivery of one call lands in one partition, in order. */
export function recordKey(tenantId: string, callId: string): string {
  return `${tenantId}:${callId}`;
}

/** The headers of a record on the topics the ingress writes (the call records and the quarantine alike). */
export function recordHeaders(record: Pick<Envelope, 'schemaVersion' | 'eventId' | 'tenantId'>): Record<string, string> {
  return {
    'schema-version': String(record.schemaVersion),
    'event-id': record.eventId,
    'tenant-id': record.tenantId,
    'content-type': ENVELOPE_CONTENT_TYPE,
  };
}

export function createEnvelope(tenantId: string, callback: Callback, eventId: string, receivedAt: Date): Envelope {
  return {
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    eventId,
    tenantId,
    receivedAt: receivedAt.toISOString(),
    callback,
  };
}
