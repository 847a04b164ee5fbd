import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../services/consumer/steps/decode-envelope.ts';

const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const envelope = {
  schemaVersion: 1,
  eventId: '5b0c8c52-0d7e-4e0a-9d43-6a3f3b1f2e11',
  tenantId: '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b',
  receivedAt: '2026-01-02T03:04:05.000Z',
  callback: seed,
};
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('decodeEnvelope', () => {
  it('accepts an envelope as the ingress publishes it, normalised by the callback schema', () => {
    const decoded = decodeEnvelope(bytes(envelope));
    expect(decoded.kind).toBe('ok');
    expect(decoded.kind === 'ok' && decoded.value.callback.customerNumber).toBe('18770915633');
  });

  it.each([
    ['no value (a tombstone)', null, 'EMPTY_VALUE', 'the record has no value'],
    ['not JSON', bytes('{"a":'), 'INVALID_JSON', expect.stringMatching(/^the value is not JSON: /)],
    ['not UTF-8 JSON at all', Buffer.from([0xff, 0xfe, 0x00]), 'INVALID_JSON', expect.stringMatching(/^the value is not JSON: /)],
    ['a future schema version', bytes({ ...envelope, schemaVersion: 2 }), 'SCHEMA_VIOLATION', expect.stringMatching(/^schemaVersion: /)],
    [
      'a callback the schema rejects',
      bytes({ ...envelope, callback: { ...seed, callDuration: -1 } }),
      'SCHEMA_VIOLATION',
      'callback.callDuration: must be a non-negative integer',
    ],
    ['no callback', bytes({ ...envelope, callback: undefined }), 'SCHEMA_VIOLATION', 'callback: is required'],
  ])('dead-letters %s', (_name, value, code, reason) => {
    expect(decodeEnvelope(value)).toEqual({ kind: 'dlq', code, reason });
  });
});
