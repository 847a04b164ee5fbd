import { ROOT_CONTEXT, trace, TraceFlags, INVALID_SPAN_CONTEXT } from '@opentelemetry/api';
import { TraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { contextFromHeaders, spanContextFromHeaders, traceHeaders } from '../../shared/tracing/propagation.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context on HTTP requests and Kafka records', () => {
  it('reads traceparent and tracestate from HTTP headers (strings) and Kafka headers (Buffers)', () => {
    const expected = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    };
    expect(trace.getSpanContext(contextFromHeaders({ traceparent: TRACEPARENT }))).toMatchObject(expected);
    const fromKafka = spanContextFromHeaders({ traceparent: Buffer.from(TRACEPARENT), tracestate: Buffer.from('rojo=00f067aa0ba902b7') });
    expect(fromKafka).toMatchObject(expected);
    expect(fromKafka?.traceState?.get('rojo')).toBe('00f067aa0ba902b7');
  });

  it('takes a missing, malformed or all-zero traceparent as none', () => {
    for (const traceparent of [
      undefined,
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f35-00f067aa0ba902b7-01',
    ]) {
      expect(spanContextFromHeaders(traceparent === undefined ? {} : { traceparent })).toBeUndefined();
    }
    expect(contextFromHeaders(undefined)).toBe(ROOT_CONTEXT);
  });

  it('writes the same headers as the OpenTelemetry propagator, and none for an invalid context', () => {
    const propagator = new W3CTraceContextPropagator();
    const contexts = [
      { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED },
      {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.NONE,
        traceState: new TraceState('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'),
      },
    ];
    for (const spanContext of contexts) {
      const injected: Record<string, string> = {};
      propagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), injected, {
        set: (carrier, key, value) => (carrier[key] = value),
      });
      expect(traceHeaders(spanContext)).toEqual(injected);
    }
    expect(traceHeaders(INVALID_SPAN_CONTEXT)).toEqual({});
  });
});
