import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCount } from '../../kit/topic-reader.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { setRateLimit } from '../../shared/tenants/rate-limit.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * Per-tenant fairness through the production ingress: a tenant over its own token bucket (2 a second,
 * burst 2) gets 429 with Retry-After before its body is read, so nothing is published or quarantined;
 * another tenant on the default limit is served meanwhile; after the wait the first is served again.
 * The ingress's clock is the test's, so the wait is a step of the clock rather than a sleep.
 */
const seed = readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8');
const RATE_LIMITED = {
  error: {
    code: 'TENANT_RATE_LIMITED',
    message: 'this tenant sends faster than its rate limit; retry after Retry-After seconds',
  },
};

let ingress: TestIngress;
let other: CreatedTenant;
let clock = new Date('2026-02-03T04:05:06.000Z');

beforeAll(async () => {
  ingress = await startTestIngress({ now: () => clock });
  await setRateLimit(ingress.db.pool, ingress.tenant.tenantId, { ratePerSecond: 2, burst: 2 });
  other = await createTenantRepository(ingress.db.pool).create({ name: 'another tenant', timezone: 'Asia/Tokyo' });
});
afterAll(() => ingress?.close());

const postAsOther = (payload: string) =>
  ingress.post(payload, {
    url: `/v1/tenants/${other.tenantId}/call-records`,
    headers: { authorization: `Bearer ${other.ingestToken}` },
  });

describe('a tenant over its rate limit', () => {
  it('gets 429 with Retry-After for the third request in the same moment, while another tenant is served, and is served after the wait', async () => {
    expect((await ingress.post(seed)).statusCode).toBe(200);
    expect((await ingress.post(seed)).statusCode).toBe(200);

    const limited = await ingress.post(seed);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json()).toEqual(RATE_LIMITED);
    // Refused before decoding: a body that would be quarantined is not, its sender keeps it.
    const invalid = await ingress.post('{"callId": "no-such-schema"}');
    expect(invalid.statusCode).toBe(429);
    expect(invalid.json()).toEqual(RATE_LIMITED);

    const served = await postAsOther(seed);
    expect(served.statusCode).toBe(200);
    expect(served.json()).toEqual({ status: 'accepted', callId: JSON.parse(seed).callId, eventId: expect.any(String) });

    // 2 a second: half a second brings one token back.
    clock = new Date(clock.getTime() + 499);
    expect((await ingress.post(seed)).statusCode).toBe(429);
    clock = new Date(clock.getTime() + 1);
    expect((await ingress.post(seed)).statusCode).toBe(200);
    expect((await ingress.post(seed)).statusCode).toBe(429);

    expect(await recordCount(ingress.kafka, ingress.topics.callRecords)).toBe(4);
    expect(await recordCount(ingress.kafka, ingress.topics.rejected)).toBe(0);
    const metrics = await ingress.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^ingress_tenant_rate_limited_total{service="ingress"} 4$/m);
  });

  it('is refused only after authentication: a wrong token is 401 whatever the bucket holds', async () => {
    const wrong = await ingress.post(seed, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('UNAUTHORIZED');
  });
});
