import { describe, expect, it } from 'vitest';
import { deadLetterMessage, MAX_ERROR_MESSAGE_LENGTH } from '../../services/consumer/dead-letters.ts';

describe('deadLetterMessage', () => {
  const record = {
    partition: 2,
    offset: '41',
    key: Buffer.from('tenant:call'),
    value: Buffer.from('{"schemaVersion":1}'),
    headers: { 'schema-version': '1', 'event-id': 'e-1' },
  };

  it('keeps key, value and headers and adds the error and the source position', () => {
    expect(deadLetterMessage({ record, code: 'DATABASE_REJECTED', reason: 'unsupported Unicode escape sequence', sqlState: '22P05' }, 'call-records.v1')).toEqual({
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
    expect(deadLetterMessage({ record: forged, code: 'SCHEMA_VIOLATION', reason: 'r' }, 't').headers?.['error-code']).toBe('SCHEMA_VIOLATION');
  });
});
