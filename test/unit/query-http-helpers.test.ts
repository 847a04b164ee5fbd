import { describe, expect, it } from 'vitest';
import { invalidParameter as invalidParameterOf, type ValidationIssue } from '../../shared/http/error-handler.ts';
import { CODE_BY_PARAMETER } from '../../services/query/errors.ts';
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

const invalidParameter = (issue: ValidationIssue) => invalidParameterOf(issue, CODE_BY_PARAMETER);

describe('error classification', () => {
  it('names the malformed parameter with its stable code', () => {
    expect(invalidParameter({ instancePath: '/callId', message: 'too long' })).toEqual({
      code: 'INVALID_CALL_ID',
      message: 'callId: too long',
    });
    expect(invalidParameter({ instancePath: '/start', message: 'Invalid ISO date' })).toEqual({
      code: 'INVALID_DATE',
      message: 'start: Invalid ISO date',
    });
    expect(
      invalidParameter({ instancePath: '/end', message: 'must not be before start', params: { params: { code: 'INVALID_DATE_RANGE' } } }),
    ).toEqual({ code: 'INVALID_DATE_RANGE', message: 'end: must not be before start' });
    expect(invalidParameter({ instancePath: '/somethingElse' }).code).toBe('INVALID_PARAMETER');
    // A code a refinement names that is not in the one list is not sent: the parameter's own code is.
    expect(invalidParameter({ instancePath: '/limit', message: 'too big', params: { params: { code: 'NOT_OURS' } } })).toEqual({
      code: 'INVALID_LIMIT',
      message: 'limit: too big',
    });
  });
});
