import { SpanStatusCode, type Attributes, type Context, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { errorSummary } from '../db/errors.ts';

/**
 * work() inside a span that ends with it, failed (status ERROR, the error's message only: pg errors carry
 * their client, password included, on properties an exception event would copy) when work() throws.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: { kind: SpanKind; attributes?: Attributes; parent: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(
    name,
    { kind: options.kind, ...(options.attributes ? { attributes: options.attributes } : {}) },
    options.parent,
  );
  try {
    return await work(span);
  } catch (error) {
    if (span.isRecording()) span.setStatus({ code: SpanStatusCode.ERROR, message: errorSummary(error).message });
    throw error;
  } finally {
    span.end();
  }
}
