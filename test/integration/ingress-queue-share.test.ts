import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue } from '../../kit/prometheus-text.ts';
import { headersOf, readAllMessages, recordCount } from '../../kit/topic-reader.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { eventually } from '../support/pipeline.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * Per-tenant fairness in the publish queue, through the production ingress: a queue of 10 records shared
 * from 5 on. Tenant A sends 12 callbacks at once; 5 fill the queue to its shared depth and wait there, the
 * other 7 get 503 + Retry-After, and so does any further request of A (even one that would be quarantined:
 * nothing of it is kept). Tenant B, holding nothing, is let in meanwhile. A produce request leaves only once
 * it holds 7 records (PRODUCE_MAX_BATCH, with a linger longer than the test), so the queue stays as it is
 * until B's records join A's: no step depends on timing.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const SHARE_EXCEEDED = {
  error: {
    code: 'TENANT_QUEUE_SHARE_EXCEEDED',
    message: 'the queue to Kafka is nearly full and this tenant holds its share of it; the record was not accepted, retry later',
  },
};

let ingress: TestIngress;
let other: CreatedTenant;

beforeAll(async () => {
  ingress = await startTestIngress({
    settings: {
      PRODUCE_QUEUE_LIMIT: 10,
      TENANT_QUEUE_SHARE_FROM_PERCENT: 50,
      PRODUCE_MAX_BATCH: 7,
      PRODUCE_LINGER_MS: 120_000,
      PRODUCE_TIMEOUT_MS: 60_000,
    },
  });
  other = await createTenantRepository(ingress.db.pool).create({ name: 'another tenant', timezone: 'Asia/Tokyo' });
});
afterAll(() => ingress?.close());

const postAsOther = (payload: object) =>
  ingress.post(payload, { url: `/v1/tenants/${other.tenantId}/call-records`, headers: { authorization: `Bearer ${other.ingestToken}` } });

function expectShareExceeded(response: LightMyRequestResponse): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers['retry-after']).toBe('5');
  expect(response.json()).toEqual(SHARE_EXCEEDED);
}

describe('a tenant holding its share of a nearly full publish queue', () => {
  it('gets 503 + Retry-After while another tenant still gets in, and only the accepted callbacks reach the topic', async () => {
    const settled: LightMyRequestResponse[] = [];
    const flood = Array.from({ length: 12 }, (_, index) =>
      ingress.post({ ...seed, callId: `flood-${index}` }).then((response) => {
        settled.push(response);
        return response;
      }),
    );
    // The 7 refusals come at once; the 5 accepted wait in the queue for their batch.
    await eventually(async () => (settled.length === 7 && ingress.publisher.queueDepth() === 5 ? true : undefined));
    for (const response of settled) expectShareExceeded(response);

    // Refused after authentication and before the body is read: a body that would be quarantined is not.
    expectShareExceeded(await ingress.post({ ...seed, callId: 'flood-more' }));
    expectShareExceeded(await ingress.post('{"callId": "no-such-schema"}'));
    expect(ingress.publisher.queueDepth()).toBe(5);

    // B holds nothing: let in at depth 5, then at 6 (two holders, 2.5 records each); the 7th record sends the batch.
    const served = await Promise.all([postAsOther({ ...seed, callId: 'other-0' }), postAsOther({ ...seed, callId: 'other-1' })]);
    for (const [index, response] of served.entries()) {
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: 'accepted', callId: `other-${index}`, eventId: expect.any(String) });
    }
    const answers = await Promise.all(flood);
    const accepted = answers.filter((response) => response.statusCode === 200);
    expect(accepted).toHaveLength(5);
    expect(answers.filter((response) => response.statusCode === 503)).toHaveLength(7);

    const records = await readAllMessages(ingress.kafka, ingress.topics.callRecords);
    expect(records.map((record) => headersOf(record)['event-id']).sort()).toEqual(
      [...accepted, ...served].map((response) => response.json().eventId).sort(),
    );
    expect(await recordCount(ingress.kafka, ingress.topics.rejected)).toBe(0);
    expect(ingress.publisher.queueDepth()).toBe(0);
    const metrics = (await ingress.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metricValue(metrics, 'ingress_tenant_queue_share_exceeded_total')).toBe(9);
  });
});
