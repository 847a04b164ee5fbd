import { describe, expect, it } from 'vitest';
import { recordHeaders, recordKey } from '../../shared/callback/envelope.ts';
import { loadConfig } from '../../shared/config.ts';
import type { RejectedCallback } from '../../services/ingress/quarantine-record.ts';
import { replayedMessage, deadLetterSummary } from '../../scripts/cli/dlq/dead-letter.ts';
import { decideReplay } from '../../scripts/cli/quarantine/replay-decision.ts';
import { firstInOrder, sinceOption } from '../../scripts/cli/record-options.ts';
import { envelopeOf, variantCallback } from '../../kit/callbacks.ts';

/**
 * The pure parts of the quarantine and dlq commands: what a quarantined callback is replayed as, or
 * refused for, in the ingress's order; what a dead letter is listed and replayed as; --since; the
 * bounded "first N in order".
 */
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const EVENT_ID = '40000000-0000-4000-8000-000000000001';
const RECEIVED_AT = '2026-01-02T03:04:05.000Z';
const limits = loadConfig({});

function quarantined(body: string): RejectedCallback {
  return {
    schemaVersion: 1,
    eventId: EVENT_ID,
    tenantId: TENANT_ID,
    receivedAt: RECEIVED_AT,
    contentType: 'application/json',
    body,
    issues: [{ path: 'x', message: 'y' }],
  };
}

describe('decideReplay', () => {
  it('a callback that passes today is the record the ingress would have published, with the original receivedAt and the eventId', () => {
    const callback = variantCallback(7);
    const decision = decideReplay(quarantined(JSON.stringify(callback)), 'active', limits);
    const envelope = envelopeOf(TENANT_ID, callback, EVENT_ID, new Date(RECEIVED_AT));
    expect(decision).toEqual({
      kind: 'replay',
      envelope,
      message: { key: recordKey(TENANT_ID, callback.callId), value: JSON.stringify(envelope), headers: recordHeaders(envelope) },
    });
  });

  const refusal = (code: string, message: string, extra: object = {}) => ({
    kind: 'refused',
    refusal: { eventId: EVENT_ID, tenantId: TENANT_ID, receivedAt: RECEIVED_AT, code, message, ...extra },
  });

  it.each([
    ['an unknown tenant', JSON.stringify(variantCallback(1)), undefined, refusal('UNKNOWN_TENANT', `tenant ${TENANT_ID} does not exist`)],
    [
      'a disabled tenant, before anything else',
      '',
      'disabled' as const,
      refusal('TENANT_DISABLED', `tenant ${TENANT_ID} is disabled: its callbacks are refused`),
    ],
    ['an empty body', ' ', 'active' as const, refusal('EMPTY_BODY', 'the body is empty; send one callback as a JSON object')],
    [
      'a body that is not JSON',
      '{"callId":',
      'active' as const,
      refusal('INVALID_JSON', expect.stringMatching(/^the body is not valid JSON: /)),
    ],
    [
      'a body against the schema',
      JSON.stringify({ ...variantCallback(1), workflow: -1 }),
      'active' as const,
      refusal('SCHEMA_VIOLATION', 'the callback does not match the schema', {
        issues: [{ path: 'workflow', message: 'must be a non-negative integer' }],
      }),
    ],
    [
      'a body over BODY_LIMIT_BYTES',
      JSON.stringify({ ...variantCallback(1), remark: 'x'.repeat(limits.BODY_LIMIT_BYTES) }),
      'active' as const,
      refusal('BODY_TOO_LARGE', `the body is larger than ${limits.BODY_LIMIT_BYTES} bytes`),
    ],
  ])('refuses %s', (_what, body, status, expected) => {
    expect(decideReplay(quarantined(body), status, limits)).toEqual(expected);
  });

  it('refuses a record over PRODUCE_MAX_BATCH_BYTES as the ingress does (RECORD_TOO_LARGE)', () => {
    const small = loadConfig({ PRODUCE_MAX_BATCH_BYTES: '2048' });
    const decision = decideReplay(quarantined(JSON.stringify(variantCallback(1))), 'active', small);
    expect(decision).toEqual(refusal('RECORD_TOO_LARGE', expect.stringMatching(/^the record is \d+ bytes; the topic takes at most 2048$/)));
  });

  it('lists at most 100 issues, with their count, as a 422 does', () => {
    const decision = decideReplay(quarantined(JSON.stringify({ ...variantCallback(1), labelInfos: Array(150).fill(1) })), 'active', limits);
    expect(decision.kind === 'refused' && decision.refusal).toMatchObject({
      code: 'SCHEMA_VIOLATION',
      issueCount: 150,
      issuesTruncated: true,
    });
    expect(decision.kind === 'refused' && decision.refusal.issues).toHaveLength(100);
  });
});

describe('dead letters', () => {
  const letter = {
    partition: 2,
    offset: '17',
    timestamp: String(Date.parse('2026-02-03T04:05:06.789Z')),
    key: Buffer.from('t:c'),
    value: Buffer.from([0xff, 0x00, 0x7b]),
    headers: {
      'event-id': Buffer.from('e'),
      'error-code': Buffer.from('DATABASE_REJECTED'),
      'error-message': Buffer.from('unsupported Unicode escape sequence'),
      'error-sqlstate': Buffer.from('22P05'),
      'source-topic': Buffer.from('call-records.v1'),
      'source-partition': Buffer.from('1'),
      'source-offset': Buffer.from('40'),
      'replayed-from': Buffer.from('call-records.dlq.v1:0:3'),
    },
  };

  it('are listed with their position, their error and where they came from', () => {
    expect(deadLetterSummary(letter)).toEqual({
      partition: 2,
      offset: '17',
      deadLetteredAt: '2026-02-03T04:05:06.789Z',
      errorCode: 'DATABASE_REJECTED',
      errorMessage: 'unsupported Unicode escape sequence',
      errorSqlState: '22P05',
      sourceTopic: 'call-records.v1',
      sourcePartition: 1,
      sourceOffset: '40',
      key: 't:c',
    });
    expect(deadLetterSummary({ ...letter, key: null, headers: {} })).toEqual({
      partition: 2,
      offset: '17',
      deadLetteredAt: '2026-02-03T04:05:06.789Z',
      errorCode: null,
      errorMessage: null,
      sourceTopic: null,
      sourcePartition: null,
      sourceOffset: null,
      key: null,
    });
  });

  it('are replayed byte for byte without the consumer headers, marked with this dead letter (an earlier mark replaced)', () => {
    expect(replayedMessage(letter, 'call-records.dlq.v1')).toEqual({
      key: letter.key,
      value: letter.value,
      headers: { 'event-id': letter.headers['event-id'], 'replayed-from': 'call-records.dlq.v1:2:17' },
    });
  });
});

describe('--since and the first N', () => {
  it.each([
    ['2026-01-02T03:04:05Z', '2026-01-02T03:04:05.000Z'],
    ['2026-01-02T12:04:05.5+09:00', '2026-01-02T03:04:05.500Z'],
    ['2026-01-02', '2026-01-02T00:00:00.000Z'],
  ])('%s is %s', (text, instant) => {
    expect(sinceOption(text).toISOString()).toBe(instant);
  });

  it('keeps the first N of any arrival order, never holding more than 2N', () => {
    const first = firstInOrder<number>((a, b) => a - b, 3);
    for (const value of [9, 4, 7, 1, 8, 2, 6, 3, 5, 0]) first.add(value);
    expect(first.items()).toEqual([0, 1, 2]);
    const all = firstInOrder<number>((a, b) => b - a);
    for (const value of [1, 3, 2]) all.add(value);
    expect(all.items()).toEqual([3, 2, 1]);
  });
});
