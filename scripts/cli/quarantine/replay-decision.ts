import { createEnvelope, recordHeaders, recordKey, type Envelope } from '../../../shared/callback/envelope.ts';
import type { Config } from '../../../shared/config.ts';
import type { TenantStatus } from '../../../shared/tenants/repository.ts';
import { decodeCallback } from '../../../services/ingress/callback-body/decode-callback-body.ts';
import { listIssues, type ListedIssues } from '../../../services/ingress/callback-body/issue-list.ts';
import { recordBytes } from '../../../services/ingress/publish/publish-batch.ts';
import type { RejectedCallback } from '../../../services/ingress/quarantine-record.ts';

/**
 * Whether a quarantined callback would be accepted today, decided by the ingress's own code in the
 * ingress's order: the tenant (active, as its authentication asks), the body size, the body's decoding
 * and schema (decodeCallback, the same function the route calls), the record's size. What passes is the
 * record the ingress would have published (the same createEnvelope, recordKey and recordHeaders), with
 * the original tenant and receivedAt, and the quarantine record's eventId as its eventId: the id the
 * sender got in its 422 then names the stored call, and replaying one record twice sends the same record
 * twice, which every subscriber that deduplicates takes as one.
 */
export type RefusalCode =
  | 'UNKNOWN_TENANT'
  | 'TENANT_DISABLED'
  | 'BODY_TOO_LARGE'
  | 'EMPTY_BODY'
  | 'INVALID_JSON'
  | 'SCHEMA_VIOLATION'
  | 'RECORD_TOO_LARGE'
  | 'NOT_A_QUARANTINED_CALLBACK';

export type Refusal = { code: RefusalCode; message: string } & Partial<ListedIssues> &
  ({ eventId: string; tenantId: string; receivedAt: string } | { partition: number; offset: string });

export interface ReplayMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export type ReplayDecision = { kind: 'replay'; envelope: Envelope; message: ReplayMessage } | { kind: 'refused'; refusal: Refusal };

export type ReplayLimits = Pick<Config, 'BODY_LIMIT_BYTES' | 'PRODUCE_MAX_BATCH_BYTES'>;

export function decideReplay(record: RejectedCallback, tenantStatus: TenantStatus | undefined, limits: ReplayLimits): ReplayDecision {
  const refused = (code: RefusalCode, message: string, issues?: ListedIssues): ReplayDecision => ({
    kind: 'refused',
    refusal: { eventId: record.eventId, tenantId: record.tenantId, receivedAt: record.receivedAt, code, message, ...issues },
  });
  if (tenantStatus === undefined) return refused('UNKNOWN_TENANT', `tenant ${record.tenantId} does not exist`);
  if (tenantStatus !== 'active') return refused('TENANT_DISABLED', `tenant ${record.tenantId} is disabled: its callbacks are refused`);
  if (Buffer.byteLength(record.body) > limits.BODY_LIMIT_BYTES) {
    return refused('BODY_TOO_LARGE', `the body is larger than ${limits.BODY_LIMIT_BYTES} bytes`);
  }
  const decoded = decodeCallback(record.body);
  if (decoded.kind === 'malformed') return refused(decoded.code, decoded.message);
  if (decoded.kind === 'rejected') return refused('SCHEMA_VIOLATION', 'the callback does not match the schema', listIssues(decoded.issues));

  const envelope = createEnvelope(record.tenantId, decoded.callback, record.eventId, new Date(record.receivedAt));
  const message = {
    key: recordKey(envelope.tenantId, envelope.callback.callId),
    value: JSON.stringify(envelope),
    headers: recordHeaders(envelope),
  };
  const bytes = recordBytes(message);
  if (bytes > limits.PRODUCE_MAX_BATCH_BYTES) {
    return refused('RECORD_TOO_LARGE', `the record is ${bytes} bytes; the topic takes at most ${limits.PRODUCE_MAX_BATCH_BYTES}`);
  }
  return { kind: 'replay', envelope, message };
}
