import { describe, expect, it } from 'vitest';
import { invalidParameter, isDatabaseUnavailable } from '../../services/query/errors.ts';
import { etagOf, ifNoneMatchHits } from '../../services/query/etag.ts';

describe('ETag matching', () => {
  const etag = etagOf('{"callId":"a"}');

  it('is a strong, quoted tag that changes with the body', () => {
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(etagOf('{"callId":"b"}')).not.toBe(etag);
  });

  it('If-None-Match hits on the same tag, weak or in a list, and on *', () => {
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(`"other", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
    expect(ifNoneMatchHits('"other"', etag)).toBe(false);
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
  });
});

describe('error classification', () => {
  it('names the malformed parameter with its stable code', () => {
    expect(invalidParameter({ instancePath: '/callId', message: 'too long' })).toEqual({ code: 'INVALID_CALL_ID', message: 'callId: too long' });
    expect(invalidParameter({ instancePath: '/start', message: 'Invalid ISO date' })).toEqual({
      code: 'INVALID_DATE',
      message: 'start: Invalid ISO date',
    });
    expect(invalidParameter({ instancePath: '/end', message: 'must not be before start', params: { params: { code: 'INVALID_DATE_RANGE' } } }))
      .toEqual({ code: 'INVALID_DATE_RANGE', message: 'end: must not be before start' });
    expect(invalidParameter({ instancePath: '/somethingElse' }).code).toBe('INVALID_PARAMETER');
  });

  it('tells an unreachable database from other failures, through causes', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('outer', { cause: Object.assign(new Error('x'), { code: '57P01' }) }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('relation "calls" does not exist'), { code: '42P01' }))).toBe(false);
    expect(isDatabaseUnavailable('a string')).toBe(false);
  });
});
