import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalKafka, type LocalKafka, type LocalKafkaOptions } from '../../scripts/local-kafka.ts';
import { eventually } from '../support/pipeline.ts';
import { freePort } from '../../kit/ports.ts';
import { headersOf, readAllMessages } from '../../kit/topic-reader.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * With its broker stopped, the ingress answers 503 + Retry-After within its produce deadline instead of
 * letting the sender time out; once the broker is back (same data, same port) the same server accepts
 * again, without a restart. This test owns its broker: stopping the shared one would break other tests.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const PRODUCE_TIMEOUT_MS = 2_000;

/** A hang fails here with a clear message, not as a test timeout; how fast the answer came is not asserted. */
async function answeredWithin(request: Promise<LightMyRequestResponse>, limitMs: number): Promise<LightMyRequestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${limitMs} ms: the request hangs`)), limitMs);
  });
  try {
    return await Promise.race([request, hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe('ingress while its Kafka broker is stopped and restarted', () => {
  let dataDir: string;
  let brokerOptions: LocalKafkaOptions;
  let broker: LocalKafka;
  let ingress: TestIngress;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'callstream-outage-kafka-'));
    brokerOptions = { port: await freePort(), controllerPort: await freePort(), dataDir, logFile: join(dataDir, 'kafka.log'), heapMb: 256 };
    broker = await startLocalKafka(brokerOptions);
    ingress = await startTestIngress({
      brokers: broker.brokers,
      settings: { PRODUCE_TIMEOUT_MS, KAFKA_HEALTH_CHECK_INTERVAL_MS: 200 },
    });
  });
  afterAll(async () => {
    await ingress?.close();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After without hanging, then accepts again after the restart', { timeout: 120_000 }, async () => {
    const accepted: string[] = [];
    // A fresh broker may still be electing the new topic's leaders: wait until the ingress is accepting.
    const before = await eventually(async () => {
      const response = await ingress.post({ ...seed, callId: 'before-outage' });
      return response.statusCode === 200 ? response : undefined;
    }, 60_000);
    accepted.push(before.json().eventId);

    await broker.stop();

    // The first answers come from the produce deadline, later ones at once from the failed health check.
    // The first is an invalid callback: its 422 needs the quarantine write, so without Kafka it is a 503 too.
    for (let attempt = 0; attempt < 5; attempt++) {
      const callback = attempt === 0 ? { ...seed, workflow: null } : { ...seed, callId: `during-outage-${attempt}` };
      const response = await answeredWithin(ingress.post(callback), 3 * PRODUCE_TIMEOUT_MS);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toEqual({
        error: { code: 'KAFKA_UNAVAILABLE', message: 'Kafka is not reachable; the record was not accepted, retry later' },
      });
    }
    await eventually(async () => ((await ingress.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 503 ? true : undefined));
    // /readyz names what failed: the broker, not Postgres.
    expect((await ingress.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'not ready',
      checks: { postgres: 'ok', kafka: 'failed' },
    });
    expect((await ingress.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    broker = await startLocalKafka(brokerOptions);

    const after = await eventually(async () => {
      const response = await answeredWithin(ingress.post({ ...seed, callId: 'after-outage' }), 3 * PRODUCE_TIMEOUT_MS);
      return response.statusCode === 200 ? response : undefined;
    }, 60_000);
    accepted.push(after.json().eventId);
    const ready = await ingress.app.inject({ method: 'GET', url: '/readyz' });
    expect({ status: ready.statusCode, body: ready.json() }).toEqual({
      status: 200,
      body: { status: 'ready', checks: { postgres: 'ok', kafka: 'ok' } },
    });

    // Every 200 is on the topic exactly once; a 503 may have been written late (the sender retries it,
    // the sink deduplicates), but never twice.
    const eventIds = (await readAllMessages(ingress.kafka, ingress.topics.callRecords)).map((record) => headersOf(record)['event-id']);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(eventIds).toEqual(expect.arrayContaining(accepted));
    expect(eventIds.length).toBeLessThanOrEqual(accepted.length + 4);
  });
});
