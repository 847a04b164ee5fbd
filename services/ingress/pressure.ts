import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../shared/config.ts';
import { errorBody } from '../../shared/http/error-codes.ts';
import { KAFKA_UNAVAILABLE_MESSAGE } from './errors.ts';

/**
 * Overload and a lost Kafka connection answer 503 + Retry-After at once, before any work is done, instead
 * of letting the sender time out. Probes and /metrics stay answerable: they are how operators see why.
 */
export type PressureLimits = Pick<Config, 'MAX_EVENT_LOOP_DELAY_MS' | 'MAX_HEAP_USED_BYTES' | 'KAFKA_HEALTH_CHECK_INTERVAL_MS'>;

export interface PressureOptions {
  limits: PressureLimits;
  retryAfterSeconds: number;
  /** The readiness check of Kafka, polled every KAFKA_HEALTH_CHECK_INTERVAL_MS. */
  kafkaConnected: () => Promise<boolean>;
}

export const PRESSURE_PLUGIN = 'ingress-pressure-limits';

const EXEMPT_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

async function pressurePlugin(app: FastifyInstance, options: PressureOptions): Promise<void> {
  const { limits } = options;
  await app.register(underPressure, {
    maxEventLoopDelay: limits.MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: limits.MAX_HEAP_USED_BYTES,
    healthCheck: options.kafkaConnected,
    healthCheckInterval: limits.KAFKA_HEALTH_CHECK_INTERVAL_MS,
    retryAfter: options.retryAfterSeconds,
    async pressureHandler(request, reply, type) {
      if (EXEMPT_ROUTES.has(request.routeOptions.url ?? '')) return;
      const body =
        type === underPressure.TYPE_HEALTH_CHECK
          ? errorBody('KAFKA_UNAVAILABLE', KAFKA_UNAVAILABLE_MESSAGE)
          : errorBody('OVERLOADED', `the service is overloaded (${type}); the record was not accepted, retry later`);
      // Sending here ends the request: Fastify runs no further hook once a reply is sent.
      reply.code(503).header('retry-after', String(options.retryAfterSeconds)).send(body);
    },
  });
}

/** Not encapsulated: under-pressure's hook must see the routes registered after it. */
export const pressureLimits = fp(pressurePlugin, { name: PRESSURE_PLUGIN, fastify: '5.x' });
