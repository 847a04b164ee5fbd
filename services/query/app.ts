import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { httpMetrics } from '../../shared/metrics.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { callHistorySchema } from './call-history-schema.ts';
import type { CallsRepository } from './calls-repository.ts';
import { mapCallHistory } from './map-call-history.ts';

export interface QueryDeps {
  tenants: TenantAuthenticator;
  calls: CallsRepository;
  /** Postgres reachable: what /readyz reports. */
  isReady(): Promise<boolean>;
}

export function buildQueryServer(deps: QueryDeps, options: { logger: FastifyServerOptions['logger']; registry: Registry }): FastifyInstance {
  const app = Fastify({ logger: options.logger });
  app.register(httpMetrics, { registry: options.registry });
  app.register(queryRoutes, deps);
  return app;
}

function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

const CALL_ID = /^[\w.:-]{1,128}$/;

export async function queryRoutes(app: FastifyInstance, deps: QueryDeps): Promise<void> {
  app.decorateRequest('tenant', null);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await deps.isReady().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });

  /** commubo's tenant headers; a missing header, unknown tenant or wrong token all get the same 403. */
  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const tenantId = request.headers['x-commubo-tenantid'];
    const token = request.headers['x-commubo-accesstoken'];
    const tenant =
      typeof tenantId === 'string' && typeof token === 'string'
        ? await deps.tenants.authenticate(tenantId, token, 'access')
        : undefined;
    if (!tenant) return sendError(reply, 403, 'FORBIDDEN', 'unknown tenant or wrong access token');
    request.tenant = tenant;
  };

  app.get<{ Params: { callId: string } }>('/v1/calls/:callId', { onRequest: authenticate }, async (request, reply) => {
    const tenant = request.tenant!;
    const { callId } = request.params;
    if (!CALL_ID.test(callId)) return sendError(reply, 400, 'INVALID_CALL_ID', 'callId is malformed');
    const row = await deps.calls.findCall(tenant.tenantId, callId);
    if (!row) return sendError(reply, 404, 'CALL_NOT_FOUND', `no call ${callId} for this tenant`);
    return callHistorySchema.parse(mapCallHistory(row, tenant.tenantId, tenant.timezone));
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant | null;
  }
}
