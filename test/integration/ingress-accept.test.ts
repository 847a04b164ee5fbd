import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildIngressServer } from '../../services/ingress/app.ts';
import { envelopeSchema } from '../../shared/callback/envelope.ts';
import { loadConfig } from '../../shared/config.ts';
import { createPool } from '../../shared/db/pool.ts';
import { createTracing } from '../../shared/tracing/tracing.ts';
import { createMetricsRegistry } from '../../shared/metrics.ts';
import { createTenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { createTenantRepository } from '../../shared/tenants/repository.ts';
import { freePort } from '../../kit/ports.ts';
import { headersOf, readAllMessages } from '../../kit/topic-reader.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * A callback that gets a 200 is on call-records.v1 with the documented key, headers and envelope
 * (docs/topic-contract.md), in all the forms senders use: the seed sample, nullable fields null or absent,
 * and every way of presenting the ingest token.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');
const REQUIRED = ['callId', 'workflow', 'fromNumber', 'toNumber', 'relayNumber', 'callStartTime', 'callEndTime', 'callDuration'];
const required = Object.fromEntries(REQUIRED.map((key) => [key, seed[key]]));
const nullable = Object.keys(seed).filter((key) => !REQUIRED.includes(key));
const withCallId = (callback: object, callId: string) => ({ ...callback, callId });
const allNull = (keys: string[]) => Object.fromEntries(keys.map((key) => [key, null]));

const normalised = (callback: Record<string, unknown>) => ({ ...callback, customerNumber: '18770915633' });
const instance = seed.instances[0];
const nestedNull = {
  ...required,
  instances: [
    {
      ...allNull(Object.keys(instance)),
      labelInfoList: [{ name: null }],
      dialogueContentList: [allNull(Object.keys(instance.dialogueContentList[0]))],
    },
  ],
  contactDetailRel: { ...allNull(Object.keys(seed.contactDetailRel)), variates: [{ key: null, type: null, value: null }] },
  variables: [{ variableName: null, variableValue: null }],
  allRecordUrl: [{ recordUrl: null, recordType: null }],
};
const nestedAbsent = {
  ...required,
  instances: [{ labelInfoList: [{}], dialogueContentList: [{}] }],
  contactDetailRel: { variates: {} },
  variables: [{}],
  allRecordUrl: [{}],
};
const extended = { ...seed, workflow: 7, futureField: { nested: [1, 'two'] } };

/** [what, as sent, as expected in the envelope] */
const variants: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
  ['the seed-000 sample', seed, normalised(seed)],
  ['every nullable field null', { ...required, ...allNull(nullable) }, { ...required, ...allNull(nullable) }],
  ['every nullable field absent', required, required],
  ['every nested nullable field null', nestedNull, nestedNull],
  ['every nested nullable field absent (variates as one object)', nestedAbsent, nestedAbsent],
  ['unknown fields and unknown codes', extended, normalised(extended)],
];

describe('ingress accepts valid callbacks onto call-records.v1', () => {
  let ingress: TestIngress;
  const accepted: Array<{ eventId: string; callId: string; expected: Record<string, unknown> }> = [];

  beforeAll(async () => {
    ingress = await startTestIngress({ now: () => RECEIVED_AT });
  });
  afterAll(() => ingress?.close());

  it.each(variants.map(([name, sent, expected], index) => [name, sent, expected, `call-${index}`] as const))(
    'answers 200 to %s',
    async (_name, sent, expected, callId) => {
      const response = await ingress.post(withCallId(sent, callId));
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toEqual({ status: 'accepted', callId, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      accepted.push({ eventId: body.eventId, callId, expected: withCallId(expected, callId) });
    },
  );

  it.each([
    ['Authorization: Bearer', (token: string) => ({ headers: { authorization: `Bearer ${token}` } })],
    ['x-callstream-token', (token: string) => ({ headers: { authorization: '', 'x-callstream-token': token } })],
    ['?token=', (token: string) => ({ headers: { authorization: '' }, query: `?token=${encodeURIComponent(token)}` })],
  ])('takes the ingest token from %s', async (_how, present) => {
    const callId = `token-${accepted.length}`;
    const { headers, query = '' } = present(ingress.tenant.ingestToken) as { headers: Record<string, string>; query?: string };
    const response = await ingress.post(withCallId(seed, callId), {
      headers,
      url: `/v1/tenants/${ingress.tenant.tenantId}/call-records${query}`,
    });
    expect(response.statusCode).toBe(200);
    accepted.push({ eventId: response.json().eventId, callId, expected: normalised(withCallId(seed, callId)) });
  });

  it.each([
    ['a wrong token', () => `/v1/tenants/${ingress.tenant.tenantId}/call-records`, 'not-the-token'],
    ['an unknown tenant', () => '/v1/tenants/00000000-0000-4000-8000-000000000000/call-records', 'any-token'],
    ['a tenant id that is not a UUID', () => '/v1/tenants/not-a-tenant/call-records', 'any-token'],
    ['no token at all', () => `/v1/tenants/${ingress.tenant.tenantId}/call-records`, ''],
  ])('answers the same 401 to %s, and keeps nothing of the body', async (_case, url, token) => {
    // An invalid body too: without a tenant nothing is quarantined either.
    const response = await ingress.post(
      { callId: 'unauthenticated' },
      { url: url(), headers: { authorization: token ? `Bearer ${token}` : '' } },
    );
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'unknown tenant or wrong ingest token' } });
  });

  it('answers 503 + Retry-After when the tenant store cannot be reached, rather than a 401 or a 500', async () => {
    // Postgres "down": a pool on a port where nothing listens. Nothing is published for such a request.
    const unreachable = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/callstream`, 1, 'callstream-test-unreachable');
    const app = buildIngressServer(
      {
        tenants: createTenantAuthenticator(createTenantRepository(unreachable), 0),
        publisher: ingress.publisher,
        retryAfterSeconds: 7,
        readiness: { postgres: async () => true, kafka: () => ingress.publisher.isConnected() },
      },
      {
        limits: loadConfig({}),
        logger: false,
        registry: createMetricsRegistry('ingress'),
        tracer: createTracing(loadConfig({}), 'ingress').tracer,
      },
    );
    try {
      const response = await app.inject({
        method: 'POST',
        url: `/v1/tenants/${ingress.tenant.tenantId}/call-records`,
        headers: { authorization: `Bearer ${ingress.tenant.ingestToken}`, 'content-type': 'application/json' },
        payload: seed,
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('7');
      expect(response.json()).toEqual({
        error: { code: 'TENANT_LOOKUP_UNAVAILABLE', message: 'the tenant could not be checked; retry later' },
      });
    } finally {
      await app.close();
      await unreachable.end();
    }
  });

  /** An ingress whose tenant store is `databaseUrl`, logging JSON lines into `lines`. */
  function ingressOn(databaseUrl: string, lines: Array<Record<string, unknown>>) {
    const pool = createPool(databaseUrl, 1, 'callstream-test-tenant-lookup');
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = buildIngressServer(
      {
        tenants: createTenantAuthenticator(createTenantRepository(pool), 0),
        publisher: ingress.publisher,
        retryAfterSeconds: 7,
        readiness: { postgres: async () => true, kafka: () => ingress.publisher.isConnected() },
      },
      {
        limits: loadConfig({}),
        logger: { level: 'info', stream },
        registry: createMetricsRegistry('ingress'),
        tracer: createTracing(loadConfig({}), 'ingress').tracer,
      },
    );
    const post = () =>
      app.inject({
        method: 'POST',
        url: `/v1/tenants/${ingress.tenant.tenantId}/call-records`,
        headers: { authorization: `Bearer ${ingress.tenant.ingestToken}`, 'content-type': 'application/json' },
        payload: seed,
      });
    return { post, close: async () => (await app.close(), await pool.end()) };
  }

  it('logs a tenant store that cannot be reached at warn, as a summary without a stack', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const unreachable = ingressOn(`postgres://postgres:pw-NOT-LOGGED@127.0.0.1:${await freePort()}/callstream`, lines);
    try {
      const response = await unreachable.post();
      expect(response.statusCode).toBe(503);
      const logged = lines.filter((line) => line.msg === 'tenant lookup failed');
      expect(
        logged.map((line) => ({ level: line.level, code: (line.error as { code?: string } | undefined)?.code, err: line.err })),
      ).toEqual([{ level: 40, code: 'ECONNREFUSED', err: undefined }]);
      expect(JSON.stringify(lines)).not.toMatch(/pw-NOT-LOGGED|"stack"/);
    } finally {
      await unreachable.close();
    }
  });

  // Regression: any failure of the tenant lookup was 503 TENANT_LOOKUP_UNAVAILABLE, so a bug or a schema
  // that is not migrated had senders retry forever instead of being a 500 that someone looks at.
  it('answers 500 INTERNAL_ERROR, not 503, when the tenant lookup fails for a reason a retry cannot fix', async () => {
    const lines: Array<Record<string, unknown>> = [];
    // The server's admin database has no tenants table: relation "tenants" does not exist (42P01).
    const unmigrated = ingressOn(inject('adminDatabaseUrl'), lines);
    try {
      const response = await unmigrated.post();
      expect(response.statusCode).toBe(500);
      expect(response.headers['retry-after']).toBeUndefined();
      expect(response.json()).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
      const failed = lines.filter((line) => line.msg === 'request failed');
      expect(failed.map((line) => ({ level: line.level, message: (line.error as { message?: string } | undefined)?.message }))).toEqual([
        { level: 50, message: 'relation "tenants" does not exist' },
      ]);
    } finally {
      await unmigrated.close();
    }
  });

  it('has put exactly the accepted callbacks on the topic, with key, headers and envelope as documented', async () => {
    const records = await readAllMessages(ingress.kafka, ingress.topics.callRecords);
    expect(records).toHaveLength(accepted.length);
    const byEventId = new Map(records.map((record) => [headersOf(record)['event-id'], record]));
    for (const { eventId, callId, expected } of accepted) {
      const record = byEventId.get(eventId)!;
      expect(record.key?.toString()).toBe(`${ingress.tenant.tenantId}:${callId}`);
      expect(headersOf(record)).toEqual({
        'schema-version': '1',
        'event-id': eventId,
        'tenant-id': ingress.tenant.tenantId,
        'content-type': 'application/json',
        // A trace of its own for each (none was sent): W3C version 00, not sampled (no exporter is set).
        traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/),
      });
      const envelope = JSON.parse(record.value!.toString('utf8'));
      expect(envelope).toEqual({
        schemaVersion: 1,
        eventId,
        tenantId: ingress.tenant.tenantId,
        receivedAt: '2026-01-02T03:04:05.000Z',
        callback: expected,
      });
      expect(envelopeSchema.safeParse(envelope).success).toBe(true);
    }
    expect(await readAllMessages(ingress.kafka, ingress.topics.rejected)).toEqual([]);
  });
});
