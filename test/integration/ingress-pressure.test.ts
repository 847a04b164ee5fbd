import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/pipeline.ts';
import { readAllMessages } from '../../kit/topic-reader.ts';
import { ingressPerTest } from '../support/ingress.ts';

/**
 * @fastify/under-pressure is on with the configured thresholds: past them the ingress answers 503 +
 * Retry-After before doing any work, while /healthz, /readyz and /metrics stay answerable.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));

function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose: this is the overload being simulated.
  }
}

describe('ingress under pressure', () => {
  const startIngress = ingressPerTest();

  it('answers 503 + Retry-After past MAX_HEAP_USED_BYTES, keeps its probes up, and publishes nothing', async () => {
    const ingress = await startIngress({ settings: { MAX_HEAP_USED_BYTES: 1 } });
    const refused = await eventually(async () => {
      const response = await ingress.post(seed);
      return response.statusCode === 503 ? response : undefined;
    });
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toEqual({
      error: { code: 'OVERLOADED', message: 'the service is overloaded (heapUsedBytes); the record was not accepted, retry later' },
    });
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      expect((await ingress.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    }
    const accepted = await readAllMessages(ingress.kafka, ingress.topics.callRecords);
    // Requests before the first heap sample may have been accepted; none after it.
    const before = accepted.length;
    expect((await ingress.post(seed)).statusCode).toBe(503);
    expect(await readAllMessages(ingress.kafka, ingress.topics.callRecords)).toHaveLength(before);
  });

  it('answers 503 + Retry-After past MAX_EVENT_LOOP_DELAY_MS', async () => {
    const ingress = await startIngress({ settings: { MAX_EVENT_LOOP_DELAY_MS: 1 } });
    const refused = await eventually(async () => {
      blockEventLoop(50);
      const response = await ingress.post(seed);
      return response.statusCode === 503 ? response : undefined;
    });
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toEqual({
      error: { code: 'OVERLOADED', message: 'the service is overloaded (eventLoopDelay); the record was not accepted, retry later' },
    });
  });
});
