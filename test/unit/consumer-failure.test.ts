import { describe, expect, it } from 'vitest';
import { classifyFailure, errorSummary, failureReason } from '../../services/consumer/failure.ts';

/** Which errors are retried (never skipping a message) and which send one message to the DLQ. */
const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it.each([
    ['57P01 admin shutdown (Postgres restarting)', withCode('57P01'), 'transient'],
    ['57P03 cannot connect now (starting up)', withCode('57P03'), 'transient'],
    ['08006 connection failure', withCode('08006'), 'transient'],
    ['08001 unable to connect', withCode('08001'), 'transient'],
    ['40001 serialization failure', withCode('40001'), 'transient'],
    ['40P01 deadlock', withCode('40P01'), 'transient'],
    ['53300 too many connections', withCode('53300'), 'transient'],
    ['42P01 undefined table (schema not migrated: wait, do not dead-letter everything)', withCode('42P01'), 'transient'],
    ['ECONNREFUSED', withCode('ECONNREFUSED'), 'transient'],
    ['ECONNRESET', withCode('ECONNRESET'), 'transient'],
    ['pg pool timeout', new Error('timeout exceeded when trying to connect'), 'transient'],
    ['connection dropped mid-query', new Error('Connection terminated unexpectedly'), 'transient'],
    ['an error nobody classified', new Error('something odd'), 'transient'],
    ['not even an Error', 'boom', 'transient'],
    ['22P05 untranslatable character (NUL in text)', withCode('22P05'), 'permanent'],
    ['22003 numeric value out of range', withCode('22003'), 'permanent'],
    ['22P02 invalid text representation', withCode('22P02'), 'permanent'],
    ['23505 unique violation', withCode('23505'), 'permanent'],
    ['23503 foreign key violation', withCode('23503'), 'permanent'],
    ['23514 check violation', withCode('23514'), 'permanent'],
    ['54000 program limit exceeded (index row too large)', withCode('54000'), 'permanent'],
  ])('%s → %s', (_name, error, expected) => {
    expect(classifyFailure(error)).toBe(expected);
  });
});

describe('failureReason', () => {
  it.each([
    [withCode('57P01'), 'sqlstate_57P01'],
    [withCode('ECONNREFUSED'), 'econnrefused'],
    [new Error('timeout exceeded when trying to connect'), 'pool_timeout'],
    [new Error('Connection terminated unexpectedly'), 'connection_lost'],
    [new Error('Client has encountered a connection error and is not queryable'), 'connection_lost'],
    [new Error('something odd'), 'unknown'],
  ])('%s → %s', (error, expected) => {
    expect(failureReason(error)).toBe(expected);
  });
});

describe('errorSummary', () => {
  it('keeps message and code, never the pg client attached to connection errors', () => {
    const error = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', client: { password: 'secret' } });
    expect(errorSummary(error)).toEqual({ message: 'read ECONNRESET', code: 'ECONNRESET' });
    expect(errorSummary('text')).toEqual({ message: 'text' });
  });
});
