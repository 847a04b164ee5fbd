import { createRequire } from 'node:module';
import type { FastifyError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../shared/http/error-codes.ts';
import {
  clientErrorRefusal,
  frameworkRefusal,
  type FrameworkErrorSettings,
  type FrameworkRefusal,
} from '../../shared/http/framework-errors.ts';

/** Every error Fastify can raise maps to a code of ours and a message that quotes nothing of the request. */
const fastifyErrors = createRequire(import.meta.url)('fastify/lib/errors.js') as Record<string, unknown>;
const SETTINGS: FrameworkErrorSettings = {};
const QUOTED = '/v1/x?token=SECRET';

const raised = Object.values(fastifyErrors)
  .filter((value): value is new (...args: string[]) => FastifyError => typeof value === 'function')
  .map((Constructor) => {
    try {
      return new Constructor(QUOTED, QUOTED, QUOTED);
    } catch {
      return undefined;
    }
  })
  .filter((error): error is FastifyError => typeof error?.code === 'string' && error.code.startsWith('FST_'));

describe('frameworkRefusal', () => {
  it('has Fastify errors to check', () => {
    expect(raised.length).toBeGreaterThan(50);
  });

  it.each(raised.map((error) => [error.code, error] as const))('%s: a code of ours, nothing of the request', (_code, error) => {
    const refusal = frameworkRefusal(error, SETTINGS)!;
    expect(refusal.code).toMatch(/^[A-Z_]+$/);
    expect(refusal.code.startsWith('FST_')).toBe(false);
    expect(refusal.message).not.toContain('SECRET');
    expect(refusal.status).toBe(error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500);
    expect(listedStatus(refusal)).toBe(refusal.status);
  });

  it('names the refusals clients can cause', () => {
    const refusal = (code: string) =>
      frameworkRefusal(
        raised.find((error) => error.code === code)!,
        SETTINGS,
      );
    expect(refusal('FST_ERR_BAD_URL')).toEqual({
      status: 400,
      code: 'BAD_URL',
      message: 'the URL is malformed: it has an invalid percent-encoding',
    });
    expect(refusal('FST_ERR_MAX_PARAM_LENGTH')).toEqual({
      status: 414,
      code: 'URL_TOO_LONG',
      message: 'a segment of the URL path is too long',
    });
    expect(refusal('FST_ERR_CTP_INVALID_JSON_BODY')).toEqual({ status: 400, code: 'INVALID_JSON', message: 'the body is not valid JSON' });
    expect(refusal('FST_ERR_ASYNC_CONSTRAINT')).toEqual({ status: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
  });

  it("takes the service's wording first, and leaves errors that are not Fastify's to the service", () => {
    const overridden: FrameworkErrorSettings = {
      overrides: { FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: 'at most 1 byte' } },
    };
    const tooLarge = raised.find((error) => error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')!;
    expect(frameworkRefusal(tooLarge, overridden)).toEqual({ status: 413, code: 'BODY_TOO_LARGE', message: 'at most 1 byte' });
    expect(frameworkRefusal(new Error('boom') as FastifyError, SETTINGS)).toBeUndefined();
    const prototypeKey = Object.assign(new SyntaxError(`Object contains forbidden prototype property ${QUOTED}`), { statusCode: 400 });
    expect(frameworkRefusal(prototypeKey as unknown as FastifyError, SETTINGS)).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'the request was refused (400 bad request)',
    });
  });
});

/** The status the one list of codes gives a refusal's code (REQUEST_REFUSED keeps any 4xx it was raised with). */
function listedStatus(refusal: FrameworkRefusal): number | undefined {
  const listed = ERROR_CODES[refusal.code];
  if (listed !== '4xx') return listed;
  return refusal.status >= 400 && refusal.status < 500 ? refusal.status : undefined;
}

describe('clientErrorRefusal', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['HPE_INVALID_METHOD', 400, 'MALFORMED_REQUEST'],
    [undefined, 400, 'MALFORMED_REQUEST'],
  ])('%s is %i %s', (code, status, ours) => {
    expect(clientErrorRefusal(code)).toMatchObject({ status, code: ours });
    expect(listedStatus(clientErrorRefusal(code))).toBe(status);
  });
});
