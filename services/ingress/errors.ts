import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { frameworkRefusal, sendRefusal, type FrameworkErrorSettings } from '../../shared/http/framework-errors.ts';

/**
 * Every answer that is not a 200 carries `{error: {code, message, ...}}` with a stable code. Fastify's
 * own refusals (body parsing, size, media type, URL) are mapped by shared/http/framework-errors.ts, some
 * worded here for callbacks; a 5xx never tells the sender more than that it should retry.
 */
export interface ErrorBody {
  error: { code: string; message: string; [detail: string]: unknown };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, ...details } };
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: Record<string, unknown>) {
  return reply.code(status).send(errorBody(code, message, details));
}

export const KAFKA_UNAVAILABLE_MESSAGE = 'Kafka is not reachable; the record was not accepted, retry later';

/** A 503 tells the sender to come back: always with Retry-After. */
export function sendUnavailable(reply: FastifyReply, retryAfterSeconds: number, code: string, message: string) {
  return reply.code(503).header('retry-after', String(retryAfterSeconds)).send(errorBody(code, message));
}

/** How the ingress words Fastify's refusals; the rest are shared/http's. */
export function frameworkErrorSettings(limits: { bodyLimit: number }): FrameworkErrorSettings {
  return {
    internalCode: 'INTERNAL',
    internalMessage: INTERNAL_MESSAGE,
    overrides: {
      FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: `the body is larger than ${limits.bodyLimit} bytes` },
      FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the callback as a JSON object with Content-Type: application/json' },
      FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'EMPTY_BODY', message: 'the body is empty; send one callback as a JSON object' },
    },
  };
}

const INTERNAL_MESSAGE = 'the request could not be processed; retry later';

export function mapFastifyErrors(app: FastifyInstance, settings: FrameworkErrorSettings): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = frameworkRefusal(error, settings);
    if (refusal && refusal.status < 500) return sendRefusal(reply, refusal);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'INTERNAL', INTERNAL_MESSAGE);
  });

  app.setNotFoundHandler((request, reply) => {
    // The path only: the query string may carry a token.
    const path = request.url.split('?', 1)[0];
    return sendError(reply, 404, 'NOT_FOUND', `no route for ${request.method} ${path}`);
  });
}
