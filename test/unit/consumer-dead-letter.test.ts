import { describe, expect, it } from 'vitest';
import { deadLetterLogFields, deadLetterMessage, MAX_ERROR_MESSAGE_LENGTH } from '../../services/consumer/dead-letters.ts';

describe('deadLetterMessage', () => {
  const record = {
    partition: 2,
    offset: '41',
    key: Buffer.from('tenant:call'),
    value: Buffer.from('{"schemaVersion":1}'),
    headers: { 'schema-version': '1', 'event-id': 'e-1' },
  };

  it('keeps key, value and headers and adds the error and the source position', () => {
    expect(
      deadLetterMessage(
        { record, code: 'DATABASE_REJECTED', reason: 'unsupported Unicode escape sequence', sqlState: '22P05' },
        'call-records.v1',
      ),
    ).toEqual({
      key: record.key,
      value: record.value,
      headers: {
        'schema-version': '1',
        'event-id': 'e-1',
        'error-code': 'DATABASE_REJECTED',
        'error-message': 'unsupported Unicode escape sequence',
        'error-sqlstate': '22P05',
        'source-topic': 'call-records.v1',
        'source-partition': '2',
        'source-offset': '41',
      },
    });
  });

  it('handles a record without key or headers, and bounds a long error message', () => {
    const message = deadLetterMessage(
      { record: { partition: 0, offset: '0', value: null }, code: 'EMPTY_VALUE', reason: 'x'.repeat(10_000) },
      'topic',
    );
    expect(message.key).toBeNull();
    expect(message.value).toBeNull();
    expect(message.headers).toEqual({
      'error-code': 'EMPTY_VALUE',
      'error-message': 'x'.repeat(MAX_ERROR_MESSAGE_LENGTH),
      'source-topic': 'topic',
      'source-partition': '0',
      'source-offset': '0',
    });
  });

  it('does not let a sender header pretend to be the error', () => {
    const forged = { ...record, headers: { 'error-code': 'FAKE' } };
    expect(deadLetterMessage({ record: forged, code: 'SCHEMA_VIOLATION', reason: 'r' }, 't').headers?.['error-code']).toBe(
      'SCHEMA_VIOLATION',
    );
  });

  it('drops every error-* and source-* header a producer forged, also those the consumer does not set this time', () => {
    const forged = {
      ...record,
      headers: {
        'event-id': 'e-1',
        'error-sqlstate': '23505',
        'Error-Code': 'FAKE',
        'error-hint': 'x',
        'source-offset': '0',
        'source-cluster': 'c',
      },
    };
    expect(deadLetterMessage({ record: forged, code: 'SCHEMA_VIOLATION', reason: 'r' }, 't').headers).toEqual({
      'event-id': 'e-1',
      'error-code': 'SCHEMA_VIOLATION',
      'error-message': 'r',
      'source-topic': 't',
      'source-partition': '2',
      'source-offset': '41',
    });
  });
});

describe('deadLetterLogFields', () => {
  it('names the tenant and call from the record key, and bounds the reason', () => {
    const key = Buffer.from('0b6c2a36-6f0e-4a39-9b40-3e5f4c6f1d2a:call:with:colons');
    expect(
      deadLetterLogFields(
        { record: { partition: 1, offset: '7', key, value: null }, code: 'DATABASE_REJECTED', reason: 'r'.repeat(600), sqlState: '54000' },
        'dlq',
      ),
    ).toEqual({
      tenantId: '0b6c2a36-6f0e-4a39-9b40-3e5f4c6f1d2a',
      callId: 'call:with:colons',
      code: 'DATABASE_REJECTED',
      sqlState: '54000',
      reason: 'r'.repeat(500),
      partition: 1,
      offset: '7',
      dlqTopic: 'dlq',
    });
  });

  it('says nothing of a call when the record has no key', () => {
    expect(deadLetterLogFields({ record: { partition: 0, offset: '0', value: null }, code: 'EMPTY_VALUE', reason: 'none' }, 'dlq')).toEqual(
      {
        code: 'EMPTY_VALUE',
        reason: 'none',
        partition: 0,
        offset: '0',
        dlqTopic: 'dlq',
      },
    );
  });
});
