import type { FastifyServerOptions } from 'fastify';

/**
 * Logger options for every service: JSON lines (pino), with tokens redacted wherever they can appear:
 * the auth headers and the `token` query parameter that senders without header support use.
 */
const SECRET_QUERY_PARAMETERS = /([?&](?:token|access_?token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY_PARAMETERS, '$1[REDACTED]');
}

export function loggerOptions(level: string, service: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-callstream-token"]',
        'req.headers["x-commubo-accesstoken"]',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req(request: { method: string; url: string; hostname?: string; ip?: string; id?: string }) {
        return { id: request.id, method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
  };
}
