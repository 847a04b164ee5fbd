import { isSpanContextValid, ROOT_CONTEXT, trace, type Context, type SpanContext, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IHeaders } from 'kafkajs';

/**
 * W3C Trace Context (traceparent, tracestate) in and out: an HTTP request's headers, a Kafka record's
 * headers (docs/topic-contract.md). Always on, whether spans are exported or not.
 */
const propagator = new W3CTraceContextPropagator();

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

type HeaderValue = string | string[] | Buffer | (string | Buffer)[] | undefined;

const text = (value: HeaderValue): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : typeof first === 'string' ? first : first.toString('latin1');
};

const headerGetter: TextMapGetter<Record<string, HeaderValue>> = {
  get: (carrier, key) => text(carrier[key]),
  keys: (carrier) => Object.keys(carrier),
};

/** The caller's context from an HTTP request's or a Kafka record's headers; a malformed traceparent counts as none. */
export function contextFromHeaders(headers: Record<string, HeaderValue> | IHeaders | undefined): Context {
  if (headers === undefined || headers[TRACEPARENT_HEADER] === undefined) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, headers as Record<string, HeaderValue>, headerGetter);
}

/** The remote span context a record's headers carry, or undefined without a valid traceparent. */
export function spanContextFromHeaders(headers: IHeaders | undefined): SpanContext | undefined {
  return trace.getSpanContext(contextFromHeaders(headers));
}

/**
 * traceparent (and tracestate when there is one) naming the span as the parent of what follows; none for
 * an invalid span context. Written here rather than by the propagator's inject, which costs ten times as
 * much (a context and a carrier per record) for the same version-00 header.
 */
export function traceHeaders(spanContext: SpanContext): Record<string, string> {
  if (!isSpanContextValid(spanContext)) return {};
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const tracestate = spanContext.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}
