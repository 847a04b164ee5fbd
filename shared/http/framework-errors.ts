import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { errorBody, INTERNAL_ERROR_MESSAGE, type ErrorCode } from './error-codes.ts';

/**
 * The refusals that Fastify and Node's HTTP parser make before any route runs (a malformed or over-long
 * URL, headers too large, a body that is not what its Content-Type says), answered in the documented
 * `{"error":{"code","message"}}` shape with a stable code of ours, for every service. Fastify's own shape
 * and codes (`FST_ERR_*`) never reach a client, and neither does any part of the request: Fastify's
 * messages quote the URL, query string (and its token) included, so none of them is passed on or logged.
 */
export interface FrameworkRefusal {
  status: number;
  code: ErrorCode;
  message: string;
}

export interface FrameworkErrorSettings {
  /** Refusals worded for the service (e.g. the ingress's 415 names the callback), by FST_* code. */
  overrides?: Readonly<Record<string, FrameworkRefusal>>;
}

const BAD_URL: FrameworkRefusal = { status: 400, code: 'BAD_URL', message: 'the URL is malformed: it has an invalid percent-encoding' };

const REFUSALS: Record<string, FrameworkRefusal> = {
  FST_ERR_BAD_URL: BAD_URL,
  FST_ERR_INVALID_URL: BAD_URL,
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URL_TOO_LONG', message: 'a segment of the URL path is too long' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'BODY_TOO_LARGE', message: 'the body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this Content-Type is not accepted here' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'EMPTY_BODY', message: 'the body is empty but the Content-Type says JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON', message: 'the body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'INVALID_CONTENT_LENGTH',
    message: 'the Content-Length header does not match the body',
  },
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: { status: 400, code: 'MISSING_CONTENT_TYPE', message: 'the request has a body but no Content-Type' },
  FST_ERR_ROUTE_MISSING_CONTENT: { status: 400, code: 'EMPTY_BODY', message: 'the request needs a body' },
};

/**
 * What to answer for an error Fastify raised, or undefined when it is not Fastify's (the service's own
 * handler decides). A 4xx Fastify has no entry for keeps its status with a generic message.
 */
export function frameworkRefusal(error: FastifyError, settings: FrameworkErrorSettings = {}): FrameworkRefusal | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  const known = settings.overrides?.[code] ?? REFUSALS[code];
  if (known) return known;
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return genericRefusal(status);
  if (code.startsWith('FST_')) return { status: 500, code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE };
  return undefined;
}

/** Client errors without a code of ours (a JSON body with a `__proto__` key, say): the status only. */
export function genericRefusal(status: number): FrameworkRefusal {
  const reason = (STATUS_CODES[status] ?? 'refused').toLowerCase();
  return { status, code: status === 400 ? 'BAD_REQUEST' : 'REQUEST_REFUSED', message: `the request was refused (${status} ${reason})` };
}

export function sendRefusal(reply: FastifyReply, refusal: FrameworkRefusal) {
  return reply.code(refusal.status).send(errorBody(refusal.code, refusal.message));
}

/**
 * Node's HTTP parser refuses a request before Fastify sees it (headers or request line over the size
 * limit, bytes that are not HTTP, a request not received within requestTimeout); this is its answer.
 */
export function clientErrorRefusal(errorCode: string | undefined): FrameworkRefusal {
  switch (errorCode) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request was not received in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'HEADERS_TOO_LARGE', message: 'the request line and headers are larger than the server accepts' };
    default:
      return { status: 400, code: 'MALFORMED_REQUEST', message: 'the request is not valid HTTP' };
  }
}

/**
 * The Fastify constructor options that route these refusals here: `frameworkErrors` (router-level: bad
 * URL, over-long parameter) and `clientErrorHandler` (socket-level). Spread into Fastify({...}).
 */
export function frameworkErrorOptions(
  settings: FrameworkErrorSettings = {},
): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
      // The request is logged by the req serializer (URL redacted); the error's message quotes the URL.
      const refusal = frameworkRefusal(error, settings) ?? genericRefusal(400);
      if (refusal.status >= 500) request.log.error({ code: error.code }, 'request failed in the router');
      else request.log.info({ code: error.code }, 'request refused by the router');
      void sendRefusal(reply, refusal);
    },
    clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      // The code only: the error carries the raw bytes received (rawPacket), headers and tokens included.
      this.log.debug({ code: error.code }, 'client error');
      const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      // A response already under way on this connection cannot be followed by another status line.
      if (socket.writable && !response?.headersSent) {
        const refusal = clientErrorRefusal(error.code);
        const body = JSON.stringify(errorBody(refusal.code, refusal.message));
        socket.write(
          `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(error);
    },
  };
}
