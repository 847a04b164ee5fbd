import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaVersion, startLocalKafka, type LocalKafka } from '../../scripts/local-kafka.ts';
import { freePort } from '../../kit/ports.ts';
import { lookUpWhenStored, postCallback, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * The 3.9 line of Apache Kafka stays a client-side target while the pinned broker is 4.x: the seed-000
 * callback goes through ingress → a 3.9 broker → consumer → query, answered as with the pinned one.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const expectedLookup = JSON.parse(readFileSync(new URL('../fixtures/seed-000-call-history.json', import.meta.url), 'utf8'));
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const CALL_ID = 'eff790c4-90a5-4453-990c-ff7d4aa30914';
// The fixture's contact times are the receivedAt of this instant.
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');

describe(`Kafka ${kafkaVersion('3.9')} as the broker`, () => {
  let broker: LocalKafka;
  let dataDir: string;
  let pipeline: TestPipeline;
  let tokens: { ingestToken: string; accessToken: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'callstream-kafka-3.9-'));
    broker = await startLocalKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir,
      logFile: join(dataDir, 'kafka.log'),
      release: '3.9',
      heapMb: 384,
    });
    pipeline = await startTestPipeline({ brokers: broker.brokers, now: () => RECEIVED_AT });
    tokens = await pipeline.createTenant({ tenantId: TENANT_ID });
    await pipeline.startConsumer();
  }, 180_000);

  afterAll(async () => {
    await pipeline?.close();
    await broker?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('carries the seed-000 callback to the seed-004 lookup', async () => {
    const accepted = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken: tokens.ingestToken }, seed);
    expect(accepted.json()).toEqual({ status: 'accepted', callId: CALL_ID, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const lookup = await lookUpWhenStored(pipeline, { tenantId: TENANT_ID, accessToken: tokens.accessToken }, CALL_ID);
    expect(lookup.json()).toEqual(expectedLookup);
  });
});
