import { describe, expect, it } from 'vitest';
import { classifyPostgresFailure, errorSummary, isTransientPostgresFailure, postgresFailureReason } from '../../shared/db/errors.ts';

/**
 * What a Postgres failure means, for every service: the consumer dead-letters only 'data' failures and
 * retries everything else; the query service and the ingress answer 503 for 'unavailable' and 'retryable'.
 */
const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('classifyPostgresFailure', () => {
  it.each([
    ['57P01 admin shutdown (Postgres restarting)', withCode('57P01'), 'unavailable'],
    ['57P02 crash shutdown', withCode('57P02'), 'unavailable'],
    ['57P03 cannot connect now (starting up)', withCode('57P03'), 'unavailable'],
    ['08006 connection failure', withCode('08006'), 'unavailable'],
    ['08001 unable to connect', withCode('08001'), 'unavailable'],
    ['08000 connection exception', withCode('08000'), 'unavailable'],
    ['53300 too many connections', withCode('53300'), 'unavailable'],
    ['ECONNREFUSED', withCode('ECONNREFUSED'), 'unavailable'],
    ['ECONNRESET', withCode('ECONNRESET'), 'unavailable'],
    ['ETIMEDOUT', withCode('ETIMEDOUT'), 'unavailable'],
    ['ENOTFOUND', withCode('ENOTFOUND'), 'unavailable'],
    ['pg pool timeout', new Error('timeout exceeded when trying to connect'), 'unavailable'],
    ['connection dropped mid-query', new Error('Connection terminated unexpectedly'), 'unavailable'],
    ['a client that broke', new Error('Client has encountered a connection error and is not queryable'), 'unavailable'],
    ['a cause that is unreachable', new Error('outer', { cause: withCode('57P01') }), 'unavailable'],
    ['one address of several refused', new AggregateError([withCode('ECONNREFUSED')]), 'unavailable'],
    ['40001 serialization failure', withCode('40001'), 'retryable'],
    ['40P01 deadlock', withCode('40P01'), 'retryable'],
    ['55P03 lock not available', withCode('55P03'), 'retryable'],
    ['57014 statement timeout', withCode('57014'), 'retryable'],
    ['22P05 untranslatable character (NUL in text)', withCode('22P05'), 'data'],
    ['22003 numeric value out of range', withCode('22003'), 'data'],
    ['22P02 invalid text representation', withCode('22P02'), 'data'],
    ['22008 date/time field value out of range', withCode('22008'), 'data'],
    ['23505 unique violation', withCode('23505'), 'data'],
    ['23503 foreign key violation', withCode('23503'), 'data'],
    ['23514 check violation', withCode('23514'), 'data'],
    ['54000 program limit exceeded (index row too large)', withCode('54000'), 'data'],
    [
      '42P01 undefined table (schema not migrated: wait, do not dead-letter everything)',
      withCode('42P01', 'relation "calls" does not exist'),
      'unknown',
    ],
    ['an error nobody classified', new Error('something odd'), 'unknown'],
    ['not even an Error', 'boom', 'unknown'],
  ])('%s → %s', (_name, error, expected) => {
    expect(classifyPostgresFailure(error)).toBe(expected);
  });

  it('does not loop on a cause chain that points back at itself', () => {
    const error = new Error('outer');
    (error as { cause?: unknown }).cause = error;
    expect(classifyPostgresFailure(error)).toBe('unknown');
  });
});

describe('isTransientPostgresFailure', () => {
  it.each([
    [withCode('ECONNREFUSED'), true],
    [withCode('40P01'), true],
    [withCode('23505'), false],
    [withCode('42P01'), false],
    [new Error('something odd'), false],
  ])('%s → %s', (error, expected) => {
    expect(isTransientPostgresFailure(error)).toBe(expected);
  });
});

describe('postgresFailureReason', () => {
  it.each([
    [withCode('57P01'), 'sqlstate_57P01'],
    [withCode('ECONNREFUSED'), 'econnrefused'],
    [new Error('timeout exceeded when trying to connect'), 'pool_timeout'],
    [new Error('Connection terminated unexpectedly'), 'connection_lost'],
    [new Error('Client has encountered a connection error and is not queryable'), 'connection_lost'],
    [withCode('KAFKAJS_SOMETHING'), 'unknown'],
    [new Error('something odd'), 'unknown'],
  ])('%s → %s', (error, expected) => {
    expect(postgresFailureReason(error)).toBe(expected);
  });
});

describe('errorSummary', () => {
  it('keeps message and code, never the pg client attached to connection errors', () => {
    const error = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', client: { password: 'secret' } });
    expect(errorSummary(error)).toEqual({ message: 'read ECONNRESET', code: 'ECONNRESET' });
    expect(errorSummary('text')).toEqual({ message: 'text' });
  });
});

/**
 * What the query service answered 503 DATABASE_UNAVAILABLE for (its own list, now this classifier's), and
 * what the ingress's tenant lookup answered 503 TENANT_LOOKUP_UNAVAILABLE for (any failure, now only these):
 * both HTTP services take a failure as transient exactly when retrying later can help.
 */
describe('isTransientPostgresFailure: what the HTTP services answer 503 for', () => {
  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'EAI_AGAIN',
    '57P01',
    '57P02',
    '57P03',
    '53300',
    '08000',
    '08003',
    '08006',
  ])('%s, as the query service listed it', (code) => {
    expect(isTransientPostgresFailure(withCode(code))).toBe(true);
  });

  it.each([
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['a connection that dropped', new Error('Connection terminated unexpectedly')],
    ['an unreachable cause under a wrapper', new Error('outer', { cause: withCode('57P01') })],
    ['a wrapper around a wrapper', new Error('outer', { cause: new Error('middle', { cause: withCode('ECONNREFUSED') }) })],
    ['one of several addresses refused', new AggregateError([new Error('no code'), withCode('ECONNREFUSED')])],
  ])('%s', (_name, error) => {
    expect(isTransientPostgresFailure(error)).toBe(true);
  });

  it.each([
    ['a table that does not exist (a schema not migrated is a 500, not a retry)', withCode('42P01', 'relation "tenants" does not exist')],
    [
      'a bug in the lookup (the repeated-token TypeError the ingress once answered 503)',
      new TypeError('The "data" argument must be of type string'),
    ],
    ['a value Postgres refuses', withCode('22P02')],
    ['not an Error at all', 'a string'],
    ['nothing', undefined],
  ])('not %s', (_name, error) => {
    expect(isTransientPostgresFailure(error)).toBe(false);
  });
});

describe('five-letter socket codes are not SQLSTATEs', () => {
  it('EPIPE is a lost connection, reported as epipe', () => {
    expect(classifyPostgresFailure(withCode('EPIPE'))).toBe('unavailable');
    expect(postgresFailureReason(withCode('EPIPE'))).toBe('epipe');
  });
});
