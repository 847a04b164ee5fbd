import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/**
 * Every answer that is not a 200 carries `{error: {code, message, ...}}` with a stable code. Fastify's
 * own refusals (body parsing, size, media type, unknown route) are mapped here; a 5xx never tells the
 * sender more than that it should retry.
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

export function mapFastifyErrors(app: FastifyInstance, limits: { bodyLimit: number }): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, 'BODY_TOO_LARGE', `the body is larger than ${limits.bodyLimit} bytes`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'send the callback as a JSON object with Content-Type: application/json');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 400, 'EMPTY_BODY', 'the body is empty; send one callback as a JSON object');
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendError(reply, 400, 'INVALID_CONTENT_LENGTH', 'the Content-Length header does not match the body');
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendError(reply, status, status === 400 ? 'BAD_REQUEST' : 'REQUEST_REFUSED', error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'INTERNAL', 'the request could not be processed; retry later');
  });

  app.setNotFoundHandler((request, reply) => {
    // The path only: the query string may carry a token.
    const path = request.url.split('?', 1)[0];
    return sendError(reply, 404, 'NOT_FOUND', `no route for ${request.method} ${path}`);
  });
}
