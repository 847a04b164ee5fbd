import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startConsumer, type RunningConsumer } from '../../services/consumer/start.ts';
import { startIngress, type RunningIngress } from '../../services/ingress/start.ts';
import { startQuery, type RunningQuery } from '../../services/query/start.ts';
import { loggerOptions } from '../../shared/logging.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { seedCallback, variantCallback } from '../../kit/callbacks.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { headersOf, readAllMessages } from '../../kit/topic-reader.ts';
import { createTestTopics, testKafka, uniqueName, type TopicSet } from '../../kit/topics.ts';
import { eventually } from '../support/pipeline.ts';
import { failTestOnCrash, testServiceConfig } from '../support/service-config.ts';

/**
 * One callback followed by its trace id, the way an operator would: the ingress continues the sender's
 * traceparent (or starts a trace), puts it on the Kafka record, and the consumer's span for that record is
 * in the same trace, its batch and transaction linked to it; the ingress's log lines of the request and
 * the consumer's line of the batch name the trace id. Spans from the production wiring (start.ts), into
 * the SDK's InMemorySpanExporter; the real OTLP exporter is checked against a collector of our own.
 */
const SENDER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SENDER_SPAN_ID = '00f067aa0ba902b7';

type LogLine = Record<string, unknown> & { msg: string };

function logInto(lines: LogLine[], service: string) {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { ...loggerOptions('debug', service), stream };
}

const quietOverrides = { listen: false, report: async () => undefined } as const;

describe('a callback followed by its trace id', () => {
  let db: TestDatabase;
  let topics: TopicSet;
  let tenant: CreatedTenant;
  let ingress: RunningIngress;
  let consumer: RunningConsumer;
  let query: RunningQuery;
  const exporter = new InMemorySpanExporter();
  const ingressLog: LogLine[] = [];
  const consumerLog: LogLine[] = [];
  const kafka = testKafka(inject('kafkaBrokers'));

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    topics = await createTestTopics(kafka);
    tenant = await createTenantRepository(db.pool).create({ name: 'traced tenant', timezone: 'Asia/Tokyo' });
    const config = testServiceConfig({ databaseUrl: db.url, topics, group: uniqueName('trace-group') });
    ingress = await startIngress(config, { ...quietOverrides, logger: logInto(ingressLog, 'ingress'), spanExporter: exporter });
    consumer = await startConsumer(config, {
      ...quietOverrides,
      logger: logInto(consumerLog, 'consumer'),
      spanExporter: exporter,
      onCrash: failTestOnCrash,
    });
    query = await startQuery(config, { ...quietOverrides, logger: false, spanExporter: exporter });
  });
  afterAll(async () => {
    await Promise.all([ingress?.close(), consumer?.close(), query?.close()]);
    await db?.drop();
  });

  const post = (body: object | string, headers: Record<string, string> = {}) =>
    ingress.app.inject({
      method: 'POST',
      url: `/v1/tenants/${tenant.tenantId}/call-records`,
      headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const spans = () => exporter.getFinishedSpans();
  const spansOf = (traceId: string) => spans().filter((span) => span.spanContext().traceId === traceId);
  const named = (prefix: string) => (span: ReadableSpan) => span.name.startsWith(prefix);
  const stored = (callId: string) =>
    eventually(async () => {
      const { rows } = await db.pool.query('select 1 from calls where call_id = $1', [callId]);
      return rows.length === 1 ? true : undefined;
    }, 20_000);

  it("continues the sender's traceparent from the request through the Kafka record to the consumer's span of it", async () => {
    const callback = { ...seedCallback(), callId: 'traced-call-1' };
    const response = await post(callback, { traceparent: `00-${SENDER_TRACE_ID}-${SENDER_SPAN_ID}-01` });
    expect(response.statusCode).toBe(200);

    // The ingress's request span: a child of the sender's span, with the tenant, the call and the status.
    const [request] = spansOf(SENDER_TRACE_ID).filter((span) => span.kind === SpanKind.SERVER);
    expect(request).toBeDefined();
    expect(request!.name).toBe('POST /v1/tenants/:tenantId/call-records');
    expect(request!.parentSpanContext?.spanId).toBe(SENDER_SPAN_ID);
    expect(request!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/tenants/:tenantId/call-records',
      'http.response.status_code': 200,
      'callstream.tenant_id': tenant.tenantId,
      'callstream.call_id': 'traced-call-1',
      'callstream.event_id': response.json().eventId,
    });
    const requestSpanId = request!.spanContext().spanId;

    // The Kafka record names that span as its parent.
    const records = await readAllMessages(kafka, topics.callRecords);
    const record = records.find((message) => headersOf(message)['event-id'] === response.json().eventId)!;
    expect(headersOf(record).traceparent).toBe(`00-${SENDER_TRACE_ID}-${requestSpanId}-01`);

    // The produce request that took it is linked to the request.
    const produce = spans().filter(
      (span) => span.kind === SpanKind.PRODUCER && span.links.some((link) => link.context.spanId === requestSpanId),
    );
    expect(produce.map((span) => [span.name, span.attributes['messaging.destination.name']])).toEqual([
      [`send ${topics.callRecords}`, topics.callRecords],
    ]);

    // The consumer's span of the record: same trace, child of the request span, linked to its batch.
    await stored('traced-call-1');
    const storeSpan = await eventually(async () => spansOf(SENDER_TRACE_ID).find(named('store')));
    expect(storeSpan.kind).toBe(SpanKind.CONSUMER);
    expect(storeSpan.name).toBe(`store ${topics.callRecords}`);
    expect(storeSpan.parentSpanContext?.spanId).toBe(requestSpanId);
    expect(storeSpan.attributes['callstream.outcome']).toBe('stored');
    const batchSpanId = storeSpan.links[0]!.context.spanId;
    const batch = spans().find((span) => span.spanContext().spanId === batchSpanId)!;
    expect(batch.name).toBe(`process ${topics.callRecords}`);
    expect(batch.links.map((link) => link.context.traceId)).toContain(SENDER_TRACE_ID);
    // Its Postgres transaction is the batch's child.
    const transaction = spans().find((span) => span.name === 'postgres transaction' && span.parentSpanContext?.spanId === batchSpanId)!;
    expect(transaction.kind).toBe(SpanKind.CLIENT);
    expect(transaction.attributes['db.system.name']).toBe('postgresql');

    // The trace id in the ingress's log lines of the request, and in the consumer's line of the batch.
    const requestLines = ingressLog.filter((line) => line.trace_id === SENDER_TRACE_ID);
    expect(requestLines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(requestLines.map((line) => line.span_id)).toEqual([requestSpanId, requestSpanId]);
    expect(requestLines[1]).toMatchObject({ callId: 'traced-call-1', res: { statusCode: 200 } });
    const batchLines = consumerLog.filter((line) => line.msg === 'batch written' && (line.traceIds as string[]).includes(SENDER_TRACE_ID));
    expect(batchLines).toHaveLength(1);
  });

  it('starts a trace of its own for a callback sent without traceparent, or with a malformed one', async () => {
    const untraced = await post({ ...variantCallback(7), callId: 'fresh-trace-1' });
    const malformed = await post({ ...variantCallback(8), callId: 'fresh-trace-2' }, { traceparent: '00-zzzz-not-a-trace-01' });
    expect([untraced.statusCode, malformed.statusCode]).toEqual([200, 200]);
    const requests = spans().filter(
      (span) => span.kind === SpanKind.SERVER && ['fresh-trace-1', 'fresh-trace-2'].includes(String(span.attributes['callstream.call_id'])),
    );
    expect(requests).toHaveLength(2);
    for (const span of requests) expect(span.parentSpanContext).toBeUndefined();
    const [first, second] = requests.map((span) => span.spanContext().traceId);
    expect(first).not.toBe(second);

    await stored('fresh-trace-1');
    await stored('fresh-trace-2');
    for (const request of requests) {
      const { traceId, spanId } = request.spanContext();
      const storeSpan = await eventually(async () => spansOf(traceId).find(named('store')));
      expect(storeSpan.parentSpanContext?.spanId).toBe(spanId);
      expect(ingressLog.filter((line) => line.trace_id === traceId).map((line) => line.msg)).toEqual([
        'incoming request',
        'request completed',
      ]);
    }
  });

  it('puts the traceparent on the quarantined record and names the refusal on the span', async () => {
    const response = await post({ callId: 'missing-everything' });
    expect(response.statusCode).toBe(422);
    const request = spans().find((span) => span.attributes['callstream.event_id'] === response.json().error.eventId)!;
    expect(request.attributes['callstream.error_code']).toBe('SCHEMA_VIOLATION');
    const [quarantined] = await readAllMessages(kafka, topics.rejected);
    expect(headersOf(quarantined!).traceparent).toBe(`00-${request.spanContext().traceId}-${request.spanContext().spanId}-01`);
  });

  it("traces the query service's requests, continuing the caller's traceparent", async () => {
    const traceId = 'a'.repeat(31) + 'b';
    const response = await query.app.inject({
      method: 'GET',
      url: '/v1/calls/traced-call-1',
      headers: {
        'x-commubo-tenantId': tenant.tenantId,
        'x-commubo-accessToken': tenant.accessToken,
        traceparent: `00-${traceId}-${SENDER_SPAN_ID}-01`,
      },
    });
    expect(response.statusCode).toBe(200);
    const [span] = spansOf(traceId);
    expect(span).toMatchObject({
      name: 'GET /v1/calls/:callId',
      kind: SpanKind.SERVER,
      attributes: {
        'http.route': '/v1/calls/:callId',
        'http.response.status_code': 200,
        'url.path': '/v1/calls/traced-call-1',
        'callstream.tenant_id': tenant.tenantId,
      },
    });
    expect(span!.parentSpanContext?.spanId).toBe(SENDER_SPAN_ID);
  });

  it('does not trace the probes and /metrics', async () => {
    const before = spans().length;
    for (const url of ['/healthz', '/readyz', '/metrics']) expect((await ingress.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    expect(
      spans()
        .slice(before)
        .filter((span) => span.kind === SpanKind.SERVER),
    ).toEqual([]);
  });
});

describe('exporting to an OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('posts the spans as OTLP protobuf to <endpoint>/v1/traces, with the configured headers', async () => {
    const received: Array<{ url: string; headers: IncomingMessage['headers']; body: Buffer }> = [];
    const collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const { port } = collector.address() as { port: number };
    const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    const kafka = testKafka(inject('kafkaBrokers'));
    const topics = await createTestTopics(kafka);
    try {
      const tenant = await createTenantRepository(db.pool).create({ name: 'exported tenant', timezone: 'Asia/Tokyo' });
      const config = testServiceConfig({
        databaseUrl: db.url,
        topics,
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=s3cret%20key',
          OTEL_SERVICE_NAME: 'ingress-under-test',
        },
      });
      const ingress = await startIngress(config, { ...quietOverrides, logger: false });
      const response = await ingress.app.inject({
        method: 'POST',
        url: `/v1/tenants/${tenant.tenantId}/call-records`,
        headers: {
          authorization: `Bearer ${tenant.ingestToken}`,
          'content-type': 'application/json',
          traceparent: `00-${SENDER_TRACE_ID}-${SENDER_SPAN_ID}-01`,
        },
        payload: JSON.stringify(seedCallback()),
      });
      expect(response.statusCode).toBe(200);
      // Closing flushes what the batch processor holds.
      await ingress.close();
      expect(received.length).toBeGreaterThan(0);
      expect(received.map((request) => request.url)).toEqual(received.map(() => '/v1/traces'));
      expect(received[0]!.headers['content-type']).toBe('application/x-protobuf');
      expect(received[0]!.headers['x-collector-key']).toBe('s3cret key');
      const body = Buffer.concat(received.map((request) => request.body));
      // Protobuf carries the trace id as its 16 raw bytes, the service name as text.
      expect(body.includes(Buffer.from(SENDER_TRACE_ID, 'hex'))).toBe(true);
      expect(body.includes(Buffer.from('ingress-under-test'))).toBe(true);
      expect(body.includes(Buffer.from('POST /v1/tenants/:tenantId/call-records'))).toBe(true);
    } finally {
      collector.close();
      await db.drop();
    }
  });
});
