import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { frameworkRefusal, sendRefusal, type FrameworkErrorSettings } from '../../shared/http/framework-errors.ts';

/**
 * Every error answer is `{"error":{"code","message"}}` with a stable code. Client mistakes name the
 * parameter; server failures say nothing about their cause (it goes to the log): a database that cannot
 * be reached is 503 with Retry-After, anything else 500.
 */
export function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

/** The stable code of a malformed parameter; one per parameter, documented in docs/query-api.md. */
const CODE_BY_PARAMETER: Record<string, string> = {
  callId: 'INVALID_CALL_ID',
  start: 'INVALID_DATE',
  end: 'INVALID_DATE',
  expand: 'INVALID_EXPAND',
  limit: 'INVALID_LIMIT',
  cursor: 'INVALID_CURSOR',
  phoneNumber: 'INVALID_PHONE_NUMBER',
  connectResult: 'INVALID_CONNECT_RESULT',
  campaignId: 'INVALID_CAMPAIGN_ID',
};

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params?: { params?: { code?: unknown } };
}

export function invalidParameter(issue: ValidationIssue): { code: string; message: string } {
  const parameter = issue.instancePath.split('/')[1] ?? '';
  const explicit = issue.params?.params?.code;
  const code = typeof explicit === 'string' ? explicit : (CODE_BY_PARAMETER[parameter] ?? 'INVALID_PARAMETER');
  return { code, message: `${parameter || 'request'}: ${issue.message ?? 'is malformed'}` };
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000', // connection_exception
  '08003',
  '08006',
]);

/** Failures that mean "Postgres is not there right now" rather than "this request is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(current.message)) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}

export const QUERY_FRAMEWORK_ERRORS: FrameworkErrorSettings = { internalCode: 'INTERNAL_ERROR', internalMessage: 'internal error' };

export function installErrorHandlers(app: FastifyInstance, retryAfterSeconds: number): void {
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const { code, message } = invalidParameter(error.validation[0]!);
      return sendError(reply, 400, code, message);
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', String(retryAfterSeconds));
      return sendError(reply, 503, 'DATABASE_UNAVAILABLE', 'the call history cannot be read right now; retry later');
    }
    // Fastify's own refusals: their codes and messages (which quote the URL) are not for clients.
    const refusal = frameworkRefusal(error, QUERY_FRAMEWORK_ERRORS);
    if (refusal && refusal.status < 500) return sendRefusal(reply, refusal);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'INTERNAL_ERROR', 'internal error');
  });
}
