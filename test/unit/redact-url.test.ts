import { describe, expect, it } from 'vitest';
import { isSecretParameter, redactUrl } from '../../shared/logging.ts';

/**
 * Fastify decodes query-string keys (fast-querystring: `+` as a space, then percent-decoding), so a token
 * sent as `%74oken=` is a token to the route: redaction must look at the name as the server decodes it.
 */
describe('redactUrl', () => {
  it.each([
    ['/v1/x?token=SECRET', '/v1/x?token=[REDACTED]'],
    ['/v1/x?%74oken=SECRET', '/v1/x?%74oken=[REDACTED]'],
    ['/v1/x?t%6Fken=SECRET', '/v1/x?t%6Fken=[REDACTED]'],
    ['/v1/x?t%6fken=SECRET', '/v1/x?t%6fken=[REDACTED]'],
    ['/v1/x?%25%37%34oken=SECRET', '/v1/x?%25%37%34oken=[REDACTED]'],
    ['/v1/x?TOKEN=SECRET', '/v1/x?TOKEN=[REDACTED]'],
    ['/v1/x?token[]=SECRET', '/v1/x?token[]=[REDACTED]'],
    ['/v1/x?token%5B%5D=SECRET', '/v1/x?token%5B%5D=[REDACTED]'],
    ['/v1/x?+token=SECRET', '/v1/x?+token=[REDACTED]'],
    ['/v1/x?access_token=SECRET', '/v1/x?access_token=[REDACTED]'],
    ['/v1/x?accessToken=SECRET', '/v1/x?accessToken=[REDACTED]'],
    ['/v1/x?%61ccessToken=SECRET', '/v1/x?%61ccessToken=[REDACTED]'],
    ['/v1/x?x-commubo-accessToken=SECRET', '/v1/x?x-commubo-accessToken=[REDACTED]'],
    ['/v1/x?password=SECRET&api_key=SECRET2', '/v1/x?password=[REDACTED]&api_key=[REDACTED]'],
    ['/v1/x?token=a=b=SECRET', '/v1/x?token=[REDACTED]'],
    ['/v1/x?a=1&token=SECRET&token=SECRET2&b=2', '/v1/x?a=1&token=[REDACTED]&token=[REDACTED]&b=2'],
    ['/v1/x#?token=SECRET', '/v1/x#?token=[REDACTED]'],
    ['/v1/x?limit=10&start=2021-05-01', '/v1/x?limit=10&start=2021-05-01'],
    ['/v1/x', '/v1/x'],
    ['/v1/%ZZ?token=SECRET', '/v1/%ZZ?token=[REDACTED]'],
    ['/v1/x?%E0%A4%A=1&token=SECRET', '/v1/x?%E0%A4%A=1&token=[REDACTED]'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it('names as secret what a sender could mean as a credential, and not ordinary parameters', () => {
    for (const name of [
      'token',
      'Token',
      'access_token',
      'accessToken',
      'access-token',
      'ingestToken',
      'api_key',
      'apikey',
      'password',
      'secret',
      'auth',
      'authorization',
      'x-callstream-token',
    ]) {
      expect(isSecretParameter(name)).toBe(true);
    }
    for (const name of ['limit', 'cursor', 'start', 'end', 'expand', 'phoneNumber', 'callId', 'campaignId', 'connectResult']) {
      expect(isSecretParameter(name)).toBe(false);
    }
  });
});
