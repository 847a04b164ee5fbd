import type { IncomingMessage } from 'node:http';
import { INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { contextFromHeaders } from './propagation.ts';

/**
 * A SERVER span for every request (but the probes and /metrics), continuing the caller's traceparent or
 * starting a trace, and the request's log lines bound to it: `trace_id` and `span_id` are on every line
 * of the request, "incoming request" included, because the span is started as Fastify makes the request's
 * child logger. Bindings made once per request instead of a pino mixin: no async context to carry, and
 * nothing to compute per line. Routes add what they know (a tenant, a call id) through requestSpan().
 */
export const HTTP_TRACING_PLUGIN = 'callstream-http-tracing';

export interface HttpTracingOptions {
  tracer: Tracer;
  /** Paths not traced (probes, scrapes): what an orchestrator asks every few seconds is no one's trace. */
  untracedPaths?: readonly string[];
}

export const UNTRACED_PATHS: readonly string[] = ['/metrics', '/healthz', '/readyz'];

const spans = new WeakMap<IncomingMessage, Span>();
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The request's span (a non-recording one with invalid ids for an untraced path). */
export function requestSpan(request: FastifyRequest): Span {
  return spans.get(request.raw) ?? NO_SPAN;
}

async function httpTracingPlugin(app: FastifyInstance, options: HttpTracingOptions): Promise<void> {
  const { tracer } = options;
  const untraced = new Set(options.untracedPaths ?? UNTRACED_PATHS);

  app.setChildLoggerFactory(function childLogger(logger, bindings, childOptions, raw) {
    const url = raw.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (untraced.has(path)) return logger.child(bindings, childOptions);
    const span = tracer.startSpan(
      raw.method ?? 'HTTP',
      // The path only: a query string may carry a token (README, ingest tokens).
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': raw.method ?? '', 'url.path': path } },
      contextFromHeaders(raw.headers),
    );
    spans.set(raw, span);
    const { traceId, spanId } = span.spanContext();
    return logger.child({ ...bindings, trace_id: traceId, span_id: spanId }, childOptions);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request.raw);
    if (span) {
      if (span.isRecording()) {
        const route = request.routeOptions.url;
        if (route !== undefined) span.updateName(`${request.method} ${route}`).setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', reply.statusCode);
        // A server's span fails on a 5xx only: a 4xx is the client's (OpenTelemetry's HTTP conventions).
        if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
    done();
  });
}

// Not encapsulated: the child-logger factory and the hook must reach every route, those added after it too.
export const httpTracing = fp(httpTracingPlugin, { name: HTTP_TRACING_PLUGIN, fastify: '5.x' });
