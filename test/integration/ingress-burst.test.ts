import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricValue } from '../../kit/prometheus-text.ts';
import { headersOf, readAllMessages } from '../../kit/topic-reader.ts';
import { ingressPerTest } from '../support/ingress.ts';

/**
 * Concurrent callbacks are coalesced into few produce requests, and still every 200 stands for exactly one
 * record on the topic; when the bounded queue is full the excess gets 503 + Retry-After, and only the
 * accepted callbacks are on the topic.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));

describe('ingress under a burst of concurrent callbacks', () => {
  const startIngress = ingressPerTest();

  it('answers 200 to each of 200 concurrent callbacks, with exactly one record per 200, coalesced into batches', async () => {
    const ingress = await startIngress({ settings: { PRODUCE_LINGER_MS: 10, PRODUCE_MAX_BATCH: 50 } });
    const responses = await Promise.all(Array.from({ length: 200 }, (_, index) => ingress.post({ ...seed, callId: `burst-${index}` })));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(200).fill(200));
    const eventIds = responses.map((response) => response.json().eventId as string);
    expect(new Set(eventIds).size).toBe(200);

    const records = await readAllMessages(ingress.kafka, ingress.topics.callRecords);
    expect(records.map((record) => headersOf(record)['event-id']).sort()).toEqual([...eventIds].sort());
    const callIds = records.map((record) => JSON.parse(record.value!.toString('utf8')).callback.callId);
    expect(new Set(callIds).size).toBe(200);

    const metrics = (await ingress.app.inject({ method: 'GET', url: '/metrics' })).body;
    const acknowledged = { outcome: 'acknowledged' };
    const batches = metricValue(metrics, 'ingress_produce_batch_records_count', acknowledged);
    expect(metricValue(metrics, 'ingress_produce_batch_records_sum', acknowledged)).toBe(200);
    expect(batches).toBeGreaterThanOrEqual(4);
    expect(batches).toBeLessThan(200);
    // No batch above PRODUCE_MAX_BATCH: the bucket le=50 holds them all.
    expect(metricValue(metrics, 'ingress_produce_batch_records_bucket', { ...acknowledged, le: '50' })).toBe(batches);
    expect(metricValue(metrics, 'ingress_publish_queue_depth')).toBe(0);
  });

  it('answers 503 + Retry-After beyond the queue limit, and the topic holds exactly the accepted callbacks', async () => {
    // A long window keeps the first records waiting, so the queue is full while the rest arrive; not shared
    // out among tenants (ingress-queue-share.test.ts), so that the one tenant here fills it to its limit.
    const ingress = await startIngress({
      settings: { PRODUCE_QUEUE_LIMIT: 5, TENANT_QUEUE_SHARE_FROM_PERCENT: 100, PRODUCE_LINGER_MS: 1_000, PRODUCE_MAX_BATCH: 1_000 },
    });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, index) => ingress.post({ ...seed, callId: `queued-${index}` })));
    const accepted = responses.filter((response) => response.statusCode === 200);
    const refused = responses.filter((response) => response.statusCode !== 200);
    expect(accepted).toHaveLength(5);
    for (const response of refused) {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toEqual({ error: { code: 'QUEUE_FULL', message: 'too many records are waiting for Kafka; retry later' } });
    }

    const records = await readAllMessages(ingress.kafka, ingress.topics.callRecords);
    expect(records.map((record) => headersOf(record)['event-id']).sort()).toEqual(
      accepted.map((response) => response.json().eventId).sort(),
    );
  });
});
