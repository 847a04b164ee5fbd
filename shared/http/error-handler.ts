import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errorSummary, isTransientPostgresFailure, postgresFailureReason } from '../db/errors.ts';
import { errorBody, INTERNAL_ERROR_MESSAGE, isErrorCode, sendError, sendUnavailable, type ErrorCode } from './error-codes.ts';
import { frameworkRefusal, sendRefusal, type FrameworkErrorSettings } from './framework-errors.ts';

/**
 * The one error handler of every service, and its not-found handler. What a route throws is answered by
 * its class: a request that fails its schema is a 400 naming the parameter, Fastify's own refusals keep
 * their codes of ours (framework-errors.ts), a Postgres that cannot be used right now is 503 with
 * Retry-After, and anything else is a 500 that says nothing of its cause (the log has it). Registered
 * before the routes: a route keeps the error handler its context had when it was added.
 */
export const ERROR_HANDLER_PLUGIN = 'callstream-error-handler';

export interface ErrorHandlerOptions {
  /** What a 503 tells the client to wait. */
  retryAfterSeconds: number;
  /** The service's wording of Fastify's refusals. */
  framework?: FrameworkErrorSettings;
  /** The code of a malformed parameter, by its name; INVALID_PARAMETER for the others. */
  codeByParameter?: Readonly<Record<string, ErrorCode>>;
  /** What DATABASE_UNAVAILABLE says, in the service's words. */
  databaseUnavailableMessage?: string;
}

export interface ValidationIssue {
  instancePath: string;
  message?: string;
  /** A zod issue's own params: a refinement may name its code (e.g. INVALID_DATE_RANGE). */
  params?: { params?: { code?: unknown } };
}

/** The code and message of the first issue of a request that failed its schema. */
export function invalidParameter(
  issue: ValidationIssue,
  codeByParameter: Readonly<Record<string, ErrorCode>> = {},
): { code: ErrorCode; message: string } {
  const parameter = issue.instancePath.split('/')[1] ?? '';
  const explicit = issue.params?.params?.code;
  const code = isErrorCode(explicit) ? explicit : (codeByParameter[parameter] ?? 'INVALID_PARAMETER');
  return { code, message: `${parameter || 'request'}: ${issue.message ?? 'is malformed'}` };
}

function validationIssues(error: FastifyError): ValidationIssue[] | undefined {
  const issues = (error as { validation?: unknown }).validation;
  return Array.isArray(issues) && issues.length > 0 ? (issues as ValidationIssue[]) : undefined;
}

/**
 * An unexpected error as the log gets it: type, message, code and stack, but not the error object, whose
 * enumerable properties the logger would copy (pg puts its client, password included, on some errors).
 */
function unexpectedForLog(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return errorSummary(error);
  return { type: error.name, ...errorSummary(error), stack: error.stack };
}

async function errorHandlerPlugin(app: FastifyInstance, options: ErrorHandlerOptions): Promise<void> {
  const databaseUnavailable = options.databaseUnavailableMessage ?? 'the database cannot be reached right now; retry later';

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const issues = validationIssues(error);
    if (issues) {
      const { code, message } = invalidParameter(issues[0]!, options.codeByParameter);
      return reply.code(400).send(errorBody(code, message));
    }
    // Fastify's own refusals: their codes and messages (which quote the URL) are not for clients.
    const refusal = frameworkRefusal(error, options.framework);
    if (refusal && refusal.status < 500) return sendRefusal(reply, refusal);
    if (isTransientPostgresFailure(error)) {
      request.log.warn({ error: errorSummary(error), reason: postgresFailureReason(error) }, 'database unavailable');
      return sendUnavailable(reply, options.retryAfterSeconds, 'DATABASE_UNAVAILABLE', databaseUnavailable);
    }
    request.log.error({ error: unexpectedForLog(error) }, 'request failed');
    return sendError(reply, 'INTERNAL_ERROR', INTERNAL_ERROR_MESSAGE);
  });

  app.setNotFoundHandler((request, reply) => {
    // The path only: the query string may carry a token.
    const path = request.url.split('?', 1)[0];
    return sendError(reply, 'NOT_FOUND', `no route for ${request.method} ${path}`);
  });
}

export const errorHandler = fp(errorHandlerPlugin, { name: ERROR_HANDLER_PLUGIN, fastify: '5.x' });
