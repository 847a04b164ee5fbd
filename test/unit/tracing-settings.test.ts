import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';
import { tracingSettings } from '../../shared/tracing/settings.ts';

describe('tracing settings (the OTEL_* variables)', () => {
  const settings = (env: Record<string, string>, service = 'ingress') => tracingSettings(loadConfig(env), service);

  it('exports nothing by default, and names each service', () => {
    expect(settings({})).toEqual({
      exportUrl: undefined,
      headers: {},
      timeoutMs: 10_000,
      serviceName: 'callstream-ingress',
      resourceAttributes: {},
      sampler: 'parentbased_always_on',
      ratio: 1,
    });
    expect(settings({}, 'consumer').serviceName).toBe('callstream-consumer');
  });

  it('exports to <endpoint>/v1/traces once an endpoint is set, or to the full traces endpoint', () => {
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exportUrl).toBe('http://collector:4318/v1/traces');
    expect(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector/otlp/' }).exportUrl).toBe('https://collector/otlp/v1/traces');
    expect(
      settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/spans' })
        .exportUrl,
    ).toBe('http://other:4318/spans');
  });

  it('exports to the default collector with OTEL_TRACES_EXPORTER=otlp alone; none, or OTEL_SDK_DISABLED, turns it off', () => {
    expect(settings({ OTEL_TRACES_EXPORTER: 'otlp' }).exportUrl).toBe('http://localhost:4318/v1/traces');
    expect(settings({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exportUrl).toBeUndefined();
    expect(settings({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).exportUrl).toBeUndefined();
  });

  it('reads headers and resource attributes as percent-encoded name=value lists, the traces headers winning', () => {
    const read = settings({
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%20def, tenant=one',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'tenant=two',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.namespace=telephony',
      OTEL_SERVICE_NAME: 'callstream-eu',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(read).toMatchObject({
      headers: { 'api-key': 'abc def', tenant: 'two' },
      resourceAttributes: { 'deployment.environment': 'prod', 'service.namespace': 'telephony' },
      serviceName: 'callstream-eu',
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
    });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', /^invalid environment variable OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318": /],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', /OTEL_EXPORTER_OTLP_PROTOCOL="grpc": must be http\/protobuf/],
    ['OTEL_TRACES_EXPORTER', 'jaeger', /OTEL_TRACES_EXPORTER="jaeger": must be otlp or none/],
    ['OTEL_TRACES_SAMPLER_ARG', '1.5', /OTEL_TRACES_SAMPLER_ARG="1.5": must be a decimal number from 0 to 1/],
    ['OTEL_RESOURCE_ATTRIBUTES', 'no-equals-sign', /OTEL_RESOURCE_ATTRIBUTES="no-equals-sign": must be a comma-separated list/],
  ])('stops on a bad %s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('never prints the export headers, which hold a collector key', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=%zz-s3cret' })).toThrow(
      /^invalid environment variable OTEL_EXPORTER_OTLP_HEADERS="\*\*\*": /,
    );
  });
});
