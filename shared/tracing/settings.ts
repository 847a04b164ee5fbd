import { z } from 'zod';

/**
 * The OpenTelemetry variables callstream reads (the standard names, a subset of them), parsed with the
 * rest of the config by loadConfig. Exporting is off unless OTEL_TRACES_EXPORTER=otlp or an OTLP endpoint
 * is set; propagation (traceparent in, on every Kafka record, out) is on whatever they say.
 */

/** `key=value` pairs separated by commas, values percent-encoded: OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES. */
const KEY_VALUE_LIST = /^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/;
const keyValueList = (expected: string) =>
  z
    .string()
    .refine((value) => KEY_VALUE_LIST.test(value), expected)
    .refine((value) => parsedKeyValues(value) !== undefined, `${expected} (values percent-encoded)`);

const otlpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export const tracingVariables = {
  /** true: nothing is exported whatever else is set (the spec's kill switch); traceparent still travels. */
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .default(false),
  /** otlp: export; none: do not. Unset: otlp when an OTLP endpoint is set, none otherwise. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { error: 'must be otlp or none (the exporters callstream has)' }).optional(),
  /** The collector's base URL; spans go to <endpoint>/v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  /** The full URL spans are posted to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  /** Headers of every export request (a collector's API key): a secret, never printed. */
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList('must be a comma-separated list of name=value').optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList('must be a comma-separated list of name=value').optional(),
  /** http/protobuf only: the one OTLP transport callstream ships an exporter for (no gRPC, no JSON). */
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/protobuf'], { error: 'must be http/protobuf (the OTLP protocol callstream exports with)' })
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z
    .enum(['http/protobuf'], { error: 'must be http/protobuf (the OTLP protocol callstream exports with)' })
    .optional(),
  /** How long one export request may take, in milliseconds. */
  OTEL_EXPORTER_OTLP_TIMEOUT: z
    .string()
    .regex(/^[1-9][0-9]{0,6}$/, 'must be a decimal number of milliseconds from 1 to 9999999')
    .transform(Number)
    .default(10_000),
  /** service.name of the spans; unset: callstream-ingress, callstream-consumer or callstream-query. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList('must be a comma-separated list of key=value').optional(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS, { error: `must be one of ${SAMPLERS.join(', ')}` }).default('parentbased_always_on'),
  /** The ratio of the traceidratio samplers, from 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .regex(/^(0(\.[0-9]+)?|1(\.0+)?)$/, 'must be a decimal number from 0 to 1')
    .transform(Number)
    .optional(),
};

/** Never printed, not even in the line that says they are invalid. */
export const TRACING_SECRET_VARIABLES: ReadonlySet<string> = new Set(['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']);

export type TracingConfig = Readonly<z.output<z.ZodObject<typeof tracingVariables>>>;

export type SamplerName = (typeof SAMPLERS)[number];

/** What the services do with spans, decided from the variables once. */
export interface TracingSettings {
  /** Where spans are posted (OTLP over HTTP, protobuf); undefined: spans are not recorded at all. */
  exportUrl: string | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  sampler: SamplerName;
  ratio: number;
}

/** The spec's default collector, when OTEL_TRACES_EXPORTER=otlp names no endpoint. */
export const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

export function tracingSettings(config: TracingConfig, service: string): TracingSettings {
  const endpoint = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? tracesUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_OTLP_ENDPOINT);
  const exporter =
    config.OTEL_TRACES_EXPORTER ?? (config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : 'none');
  return {
    exportUrl: exporter === 'otlp' && !config.OTEL_SDK_DISABLED ? endpoint : undefined,
    headers: {
      ...parsedKeyValues(config.OTEL_EXPORTER_OTLP_HEADERS ?? ''),
      ...parsedKeyValues(config.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? ''),
    },
    timeoutMs: config.OTEL_EXPORTER_OTLP_TIMEOUT,
    serviceName: config.OTEL_SERVICE_NAME ?? `callstream-${service}`,
    resourceAttributes: parsedKeyValues(config.OTEL_RESOURCE_ATTRIBUTES ?? '') ?? {},
    sampler: config.OTEL_TRACES_SAMPLER,
    ratio: config.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}

/** The spec: the signal's path is appended to the base endpoint, after exactly one slash. */
function tracesUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

function parsedKeyValues(text: string): Record<string, string> | undefined {
  const pairs: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    try {
      pairs[pair.slice(0, equals).trim()] = decodeURIComponent(pair.slice(equals + 1).trim());
    } catch {
      return undefined;
    }
  }
  return pairs;
}
