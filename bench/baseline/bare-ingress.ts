import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { loggerOptions } from '../../shared/logging.ts';
import { reportStartup } from '../../shared/startup-report.ts';

/**
 * The ingress stage's baseline: the same Fastify server (same body limit, same pino logger at warn) with
 * a handler that gets the same body parsed by Fastify's JSON parser and answers 200 with the same shape
 * of answer — no authentication, no validation, no Kafka. What HTTP and JSON alone cost on this machine.
 */
const { values } = parseArgs({ options: { port: { type: 'string' }, 'body-limit': { type: 'string' } } });
const app = Fastify({ bodyLimit: Number(values['body-limit'] ?? 1_048_576), logger: loggerOptions('warn', 'bare-ingress') });

app.get('/healthz', async () => ({ status: 'ok' }));
app.post<{ Body: { callId?: unknown } }>('/v1/tenants/:tenantId/call-records', async (request) => ({
  status: 'accepted',
  callId: request.body.callId,
  eventId: randomUUID(),
}));

const close = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
await app.listen({ host: '127.0.0.1', port: Number(values.port) });
// Started the way a service reports it, so the one service launcher can run this baseline in the ingress's place.
await reportStartup({ listening: true });
