import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_CALL_ID_LENGTH } from '../../shared/callback/limits.ts';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { commuboAuth } from './auth.ts';
import { callHistorySchema, conversationMessageSchema, errorBodySchema } from './call-history-schema.ts';
import type { CallsRepository } from './calls-repository.ts';
import { sendError } from '../../shared/http/error-codes.ts';
import { conditionalGet } from './etag.ts';
import { mapCallHistory } from './map-call-history.ts';
import { mapConversation } from './map-conversation.ts';
import { NOT_STORABLE_MESSAGE, STORABLE_TEXT } from './query-params.ts';

/**
 * The single-call answers: the call-history object (seed 004), its conversation and the raw stored
 * callback. Each is one round trip, carries an ETag and answers 304 to a matching If-None-Match. A call of
 * another tenant is 404 like a missing one: the query is scoped by the authenticated tenant.
 */
const callParams = z.object({
  callId: z
    .string()
    // Any id the ingress accepts (1 to 128 characters, URL-encoded in the path) can be asked for.
    .min(1, 'must not be empty')
    .max(MAX_CALL_ID_LENGTH, `must be at most ${MAX_CALL_ID_LENGTH} characters`)
    // No stored call has an id Postgres text cannot hold, and asking Postgres for one is an error.
    .regex(STORABLE_TEXT, NOT_STORABLE_MESSAGE)
    .describe('the call id (callId of the callback)'),
});

const notFound = (callId: string) => `no call ${callId} for this tenant`;

export function callRoutes(app: FastifyInstance, deps: { tenants: TenantAuthenticator; calls: CallsRepository }): void {
  const common = {
    onRequest: commuboAuth(deps.tenants),
    onSend: conditionalGet,
  };
  const errors = {
    304: z.null().describe('Not Modified'),
    400: errorBodySchema,
    403: errorBodySchema,
    404: errorBodySchema,
    503: errorBodySchema,
  };
  const docs = { tags: ['call history'], security: [{ tenantId: [], accessToken: [] }], params: callParams };
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/v1/calls/:callId',
    { ...common, schema: { ...docs, summary: 'One call (commubo call history)', response: { 200: callHistorySchema, ...errors } } },
    async (request, reply) => {
      const tenant = request.tenant!;
      const row = await deps.calls.findCall(tenant.tenantId, request.params.callId);
      if (!row) return sendError(reply, 'CALL_NOT_FOUND', notFound(request.params.callId));
      return mapCallHistory(row, tenant.tenantId, tenant.timezone);
    },
  );

  routes.get(
    '/v1/calls/:callId/conversations',
    {
      ...common,
      schema: {
        ...docs,
        summary: 'The dialogue lines of one call, in order (empty when it had none)',
        response: { 200: z.array(conversationMessageSchema), ...errors },
      },
    },
    async (request, reply) => {
      const tenant = request.tenant!;
      const lines = await deps.calls.findConversation(tenant.tenantId, request.params.callId);
      if (!lines) return sendError(reply, 'CALL_NOT_FOUND', notFound(request.params.callId));
      return mapConversation(lines, tenant.timezone);
    },
  );

  routes.get(
    '/v1/calls/:callId/raw',
    {
      ...common,
      schema: {
        ...docs,
        summary: 'The stored callback of one call, as accepted (our extension)',
        response: {
          200: z.looseObject({}).describe('the callback (seed 000 fields, unknown fields kept)'),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const raw = await deps.calls.findRawCallback(request.tenant!.tenantId, request.params.callId);
      if (raw === undefined) return sendError(reply, 'CALL_NOT_FOUND', notFound(request.params.callId));
      // JSON text with a JSON content type goes out as stored: Fastify does not re-serialise strings,
      // which the response type (the parsed object it documents) cannot express.
      return reply.type('application/json; charset=utf-8').send(raw as unknown as Record<string, unknown>);
    },
  );
}
