import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { errorSummary } from '../db/errors.ts';
import { tracingSettings, type SamplerName, type TracingConfig } from './settings.ts';

/**
 * One service's tracer, passed down to what makes spans (no global provider is registered). Without an
 * exporter the tracer records nothing: every span is a non-recording one that still has its trace and span
 * ids, so traceparent is continued and passed on, and log lines name the trace, at the cost of the ids.
 */
export interface Tracing {
  tracer: Tracer;
  /** Spans are recorded and exported: what only matters for a recorded span (links, attributes) is worth building. */
  recording: boolean;
  /** Exports what is still buffered (for at most 2 s); the tracer records nothing afterwards. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Instead of OTLP (tests: the SDK's InMemorySpanExporter), exported span by span as each ends. */
  exporter?: SpanExporter;
  /** Where a failed export is told (once, until one succeeds again). */
  log?: () => { warn(fields: object, message: string): void; info(fields: object, message: string): void };
}

const INSTRUMENTATION = 'callstream';

export function createTracing(config: TracingConfig, service: string, options: TracingOptions = {}): Tracing {
  const settings = tracingSettings(config, service);
  const processor = spanProcessor(settings, options);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...settings.resourceAttributes,
      [ATTR_SERVICE_NAME]: settings.serviceName,
      'callstream.service': service,
    }),
    sampler: processor ? sampler(settings.sampler, settings.ratio) : new AlwaysOffSampler(),
    spanProcessors: processor ? [processor] : [],
  });
  return {
    tracer: provider.getTracer(INSTRUMENTATION),
    recording: processor !== undefined,
    // Bounded: a stopping service must not wait on a collector that does not answer.
    shutdown: async () => {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((done) => (timer = setTimeout(done, SHUTDOWN_FLUSH_MS)));
      await Promise.race([provider.shutdown().catch(() => undefined), waited]);
      clearTimeout(timer);
    },
  };
}

/** How long closing a service waits for the last spans to be exported. */
const SHUTDOWN_FLUSH_MS = 2_000;

function spanProcessor(settings: ReturnType<typeof tracingSettings>, options: TracingOptions): SpanProcessor | undefined {
  if (options.exporter) return new SimpleSpanProcessor(options.exporter);
  if (settings.exportUrl === undefined) return undefined;
  const exporter = new OTLPTraceExporter({ url: settings.exportUrl, headers: settings.headers, timeoutMillis: settings.timeoutMs });
  // The SDK's defaults, written out so that no OTEL_BSP_* variable is read behind the config's back.
  return new BatchSpanProcessor(reportingFailures(exporter, settings.exportUrl, options.log), {
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 5_000,
    exportTimeoutMillis: 30_000,
  });
}

function sampler(name: SamplerName, ratio: number): Sampler {
  const root = name.endsWith('always_off')
    ? new AlwaysOffSampler()
    : name.endsWith('traceidratio')
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/** The exporter, telling the log when exports start failing (the collector is down) and when they work again. */
function reportingFailures(exporter: SpanExporter, url: string, log: TracingOptions['log']): SpanExporter {
  let failing = false;
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS && failing) {
          failing = false;
          log?.().info({ url }, 'trace export works again');
        } else if (result.code !== ExportResultCode.SUCCESS && !failing) {
          failing = true;
          log?.().warn({ url, error: errorSummary(result.error) }, 'trace export failed; spans are dropped until the collector answers');
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
