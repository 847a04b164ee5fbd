import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { httpMetrics } from '../../shared/metrics.ts';
import { parseCallback } from '../../shared/callback/schema.ts';
import { createEnvelope } from '../../shared/callback/envelope.ts';
import type { CallRecordPublisher } from '../../shared/kafka/call-record-publisher.ts';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';

export interface IngressDeps {
  tenants: TenantAuthenticator;
  publisher: CallRecordPublisher;
  retryAfterSeconds: number;
  /** Kafka and Postgres reachable: what /readyz reports. */
  isReady(): Promise<boolean>;
  now?: () => Date;
}

export interface IngressServerOptions {
  bodyLimit: number;
  logger: FastifyServerOptions['logger'];
  registry: Registry;
}

/** The Fastify server with the ingress routes; main.ts listens on it, tests call inject(). */
export function buildIngressServer(deps: IngressDeps, options: IngressServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: options.bodyLimit, logger: options.logger });
  app.register(httpMetrics, { registry: options.registry });
  app.register(ingressRoutes, deps);
  return app;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export async function ingressRoutes(app: FastifyInstance, deps: IngressDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await deps.isReady().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });

  app.post<{ Params: { tenantId: string }; Querystring: { token?: string } }>(
    '/v1/tenants/:tenantId/call-records',
    async (request, reply) => {
      const token =
        bearerToken(request.headers.authorization) ??
        (request.headers['x-callstream-token'] as string | undefined) ??
        request.query.token;
      const tenant = await deps.tenants.authenticate(request.params.tenantId, token, 'ingest');
      if (!tenant) {
        return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'unknown tenant or wrong ingest token' } });
      }

      const parsed = parseCallback(request.body);
      if (!parsed.ok) {
        return reply
          .code(422)
          .send({ error: { code: 'SCHEMA_VIOLATION', message: 'the callback does not match the schema', issues: parsed.issues } });
      }

      const envelope = createEnvelope(tenant.tenantId, parsed.callback, randomUUID(), now());
      try {
        await deps.publisher.publish(envelope);
      } catch (error) {
        request.log.warn({ err: error }, 'publish failed');
        return reply
          .code(503)
          .header('retry-after', String(deps.retryAfterSeconds))
          .send({ error: { code: 'KAFKA_UNAVAILABLE', message: 'the record could not be stored; retry later' } });
      }
      return { status: 'accepted', callId: envelope.callback.callId, eventId: envelope.eventId };
    },
  );
}
