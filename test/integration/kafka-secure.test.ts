import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { setScramPassword, startLocalKafkaCluster, type LocalKafkaCluster } from '../../scripts/local-kafka.ts';
import { seedCallback } from '../../kit/callbacks.ts';
import { freeConsecutivePorts } from '../../kit/consecutive-ports.ts';
import { killAllServices, startServiceProcess, type TestService } from '../../kit/service-process.ts';
import { createTestDatabase, type TestDatabase } from '../../kit/test-database.ts';
import { createTestTopics, deleteTopicSet, testKafka, uniqueName, type TopicSet } from '../../kit/topics.ts';
import type { KafkaConnection } from '../../shared/kafka/settings.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { cli, printed } from '../support/cli.ts';
import { eventually, lookUpWhenStored, postCallback, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * The pipeline over a SASL_SSL listener (SCRAM-SHA-512, the broker's certificate signed by a CA given as a
 * file), as a production cluster asks; and what a wrong password does: the services stay up but unready,
 * senders get 503 + Retry-After, one clear log line says why, no password is ever logged, and once the
 * broker accepts the password the services connect by themselves.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const expectedLookup = JSON.parse(readFileSync(new URL('../fixtures/seed-000-call-history.json', import.meta.url), 'utf8'));
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const CALL_ID = 'eff790c4-90a5-4453-990c-ff7d4aa30914';
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');

const USER = 'callstream';
const PASSWORD = 'Right-Password-7f3a9c';
const LATE_USER = 'callstream-late';
const LATE_PASSWORD = 'Late-Password-51be02';

let cluster: LocalKafkaCluster;
let dataDir: string;
let connection: KafkaConnection;
/** What an operator sets for SCRAM-SHA-512 over TLS with the cluster's CA. */
let secureEnv: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'callstream-kafka-secure-'));
  cluster = await startLocalKafkaCluster({
    nodes: 1,
    // A secure node listens on three consecutive ports: clients, controller, internal.
    port: await freeConsecutivePorts(3),
    dataDir,
    heapMb: 384,
    security: { scram: { mechanism: 'SCRAM-SHA-512', users: [{ username: USER, password: PASSWORD }] } },
  });
  connection = {
    ssl: { ca: [readFileSync(cluster.caFile!, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: USER, password: PASSWORD },
  };
  secureEnv = {
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: cluster.caFile!,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: PASSWORD,
  };
}, 180_000);

afterAll(async () => {
  await killAllServices();
  await cluster?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('over SASL_SSL with SCRAM-SHA-512 and a CA file', () => {
  let pipeline: TestPipeline;
  let tokens: { ingestToken: string; accessToken: string };

  beforeAll(async () => {
    pipeline = await startTestPipeline({ brokers: cluster.brokers, connection, env: secureEnv, now: () => RECEIVED_AT });
    tokens = await pipeline.createTenant({ tenantId: TENANT_ID });
    await pipeline.startConsumer();
  }, 120_000);
  afterAll(() => pipeline?.close());

  it('carries the seed-000 callback to the seed-004 lookup', async () => {
    const accepted = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken: tokens.ingestToken }, seed);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ status: 'accepted', callId: CALL_ID, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const lookup = await lookUpWhenStored(pipeline, { tenantId: TENANT_ID, accessToken: tokens.accessToken }, CALL_ID);
    expect(lookup.json()).toEqual(expectedLookup);
  });
  it('the operator CLI reads the quarantine over the same settings', async () => {
    const refused = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken: tokens.ingestToken }, { ...seed, workflow: -1 });
    expect(refused.statusCode).toBe(422);
    const { error } = refused.json() as { error: { eventId: string; issues: unknown } };
    const env = {
      ...secureEnv,
      DATABASE_URL: pipeline.db.url,
      KAFKA_BROKERS: cluster.brokers.join(','),
      TOPIC_CALL_RECORDS: pipeline.topics.callRecords,
      TOPIC_REJECTED: pipeline.topics.rejected,
      TOPIC_DLQ: pipeline.topics.dlq,
    };
    const listed = await cli(env, ['quarantine', 'list']);
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(printed(listed)).toEqual([
      { eventId: error.eventId, tenantId: TENANT_ID, receivedAt: RECEIVED_AT.toISOString(), issues: error.issues },
    ]);
    expect(error.issues).toEqual([{ path: 'workflow', message: 'must be a non-negative integer' }]);
  });
});

describe('a password the broker does not accept', () => {
  let db: TestDatabase;
  let topics: TopicSet;
  let tenant: CreatedTenant;
  let ingress: TestService;
  let consumer: TestService;
  const readyz = async (service: TestService) => {
    const response = await fetch(`${service.url}/readyz`);
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    tenant = await createTenantRepository(db.pool).create({ name: 'secure tenant', timezone: 'Asia/Tokyo' });
    topics = await createTestTopics(testKafka(cluster.brokers, connection));
    // A user the broker does not know yet: every connection is refused until an operator creates it.
    const env = {
      ...secureEnv,
      KAFKA_SASL_USERNAME: LATE_USER,
      KAFKA_SASL_PASSWORD: LATE_PASSWORD,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: cluster.brokers.join(','),
      TOPIC_CALL_RECORDS: topics.callRecords,
      TOPIC_REJECTED: topics.rejected,
      TOPIC_DLQ: topics.dlq,
      CONSUMER_GROUP: uniqueName('secure-group'),
      LOG_LEVEL: 'debug',
      RETRY_AFTER_SECONDS: '2',
      KAFKA_HEALTH_CHECK_INTERVAL_MS: '500',
      CONSUMER_RETRY_INITIAL_MS: '200',
      CONSUMER_RETRY_MAX_MS: '1000',
    };
    [ingress, consumer] = await Promise.all([
      startServiceProcess('ingress', { env, startedWhen: 'healthy' }),
      startServiceProcess('consumer', { env, startedWhen: 'healthy' }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([ingress?.stop('SIGTERM'), consumer?.stop('SIGTERM')]);
    if (topics) await deleteTopicSet(testKafka(cluster.brokers, connection), topics);
    await db?.drop();
  });

  it('keeps both services up and unready, answers senders 503 + Retry-After, and says why in one line', async () => {
    const refusalLines = (service: TestService) =>
      service
        .output()
        .split('\n')
        .filter((line) => line.includes('Kafka refused the connection'));
    // The consumer connects after it listens; then both retry (every 0.5 s, and 0.2 s doubling): still one line each.
    await eventually(async () => (refusalLines(ingress).length > 0 && refusalLines(consumer).length > 0 ? true : undefined));
    await new Promise((done) => setTimeout(done, 2_000));
    expect(await readyz(ingress)).toEqual({ status: 503, body: { status: 'not ready', checks: { postgres: 'ok', kafka: 'failed' } } });
    expect(await readyz(consumer)).toEqual({
      status: 503,
      body: { status: 'not ready', checks: { postgres: 'ok', kafka: 'failed', consumerGroup: 'failed' } },
    });
    const response = await fetch(`${ingress.url}/v1/tenants/${tenant.tenantId}/call-records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...seedCallback(), callId: 'refused-call' }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ error: { code: 'KAFKA_UNAVAILABLE', message: expect.stringMatching(/Kafka/) } });

    for (const service of [ingress, consumer]) {
      const refusals = refusalLines(service);
      expect(refusals).toHaveLength(1);
      expect(JSON.parse(refusals[0]!)).toMatchObject({
        level: 50,
        code: 'KAFKA_AUTHENTICATION_FAILED',
        brokers: cluster.brokers.join(','),
        msg: 'Kafka refused the connection: authentication failed (check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD); not ready, retrying until it accepts',
      });
    }
    expect(ingress.running() && consumer.running()).toBe(true);
    // kafkajs' own lines about each refused attempt are detail (debug), not errors repeated every retry.
    const errors = consumer
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":50'));
    expect(errors.map((line) => JSON.parse(line).msg)).toEqual([refusalLines(consumer).map((line) => JSON.parse(line).msg)[0]]);
  });

  it('connects by itself once the broker accepts the credential, then stores what it accepts; no password in any log', async () => {
    await setScramPassword(cluster, { username: LATE_USER, password: LATE_PASSWORD });
    await eventually(async () => ((await readyz(ingress)).status === 200 ? true : undefined), 30_000);
    await eventually(async () => ((await readyz(consumer)).status === 200 ? true : undefined), 30_000);

    // As a sender would: the ingress's pressure gate polls Kafka every KAFKA_HEALTH_CHECK_INTERVAL_MS (0.5 s
    // here), so for up to one interval after /readyz turned 200 it may still answer 503 + Retry-After.
    const callId = uniqueName('accepted-call');
    const refusedMeanwhile: unknown[] = [];
    await eventually(async () => {
      const response = await fetch(`${ingress.url}/v1/tenants/${tenant.tenantId}/call-records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.ingestToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...seedCallback(), callId }),
      });
      if (response.status === 200) return true;
      refusedMeanwhile.push({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() });
      return undefined;
    }, 10_000);
    expect(refusedMeanwhile).toEqual(
      refusedMeanwhile.map(() => ({
        status: 503,
        retryAfter: '2',
        body: { error: { code: 'KAFKA_UNAVAILABLE', message: expect.any(String) } },
      })),
    );
    const stored = await eventually(async () => {
      const { rows } = await db.pool.query('select call_id from calls where tenant_id = $1', [tenant.tenantId]);
      return rows.length > 0 ? rows : undefined;
    }, 30_000);
    expect(stored).toEqual([{ call_id: callId }]);

    for (const service of [ingress, consumer]) {
      const output = service.output();
      expect(output).toContain('Kafka accepted the connection');
      expect(output).not.toContain(LATE_PASSWORD);
      expect(output).not.toContain(PASSWORD);
    }
  });
});

describe('a broker certificate this client does not trust', () => {
  it('keeps the ingress up and unready and names the certificate in one line', { timeout: 60_000 }, async () => {
    const db = await createTestDatabase(inject('adminDatabaseUrl'), inject('templateDatabase'));
    // No KAFKA_SSL_CA_FILE: the system's CAs, which do not include the test cluster's throw-away CA.
    const { KAFKA_SSL_CA_FILE: _ca, ...withoutCa } = secureEnv;
    const ingress = await startServiceProcess('ingress', {
      env: { ...withoutCa, DATABASE_URL: db.url, KAFKA_BROKERS: cluster.brokers.join(',') },
      startedWhen: 'healthy',
    });
    try {
      const response = await fetch(`${ingress.url}/readyz`);
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 503,
        body: { status: 'not ready', checks: { postgres: 'ok', kafka: 'failed' } },
      });
      const refusals = ingress
        .output()
        .split('\n')
        .filter((line) => line.includes('Kafka refused the connection'))
        .map((line) => JSON.parse(line));
      expect(refusals).toEqual([
        expect.objectContaining({
          level: 50,
          code: 'KAFKA_CERTIFICATE_NOT_TRUSTED',
          msg: 'Kafka refused the connection: certificate not trusted: SELF_SIGNED_CERT_IN_CHAIN (check KAFKA_SSL_CA_FILE); not ready, retrying until it accepts',
        }),
      ]);
    } finally {
      await ingress.stop('SIGTERM');
      await db.drop();
    }
  });
});
