import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAllMessages, recordCount } from '../../kit/topic-reader.ts';
import { createTenantRepository, type CreatedTenant } from '../../shared/tenants/repository.ts';
import { setSigningSecret } from '../../shared/tenants/signing-secret.ts';
import { startTestIngress, type TestIngress } from '../support/ingress.ts';

/**
 * Signed callbacks through the production ingress on real Kafka and Postgres: a tenant with a signing
 * secret is served only with a Callstream-Signature whose HMAC-SHA256 over "<t>.<raw body>" is made with
 * it and whose t is within 5 minutes of the ingress's clock; every other request is a 401 with a code
 * that says why, and nothing of it reaches a topic. A tenant without a secret sends as before. A rotated
 * secret still signs during its grace period, by the ingress's clock (the test's), and not after.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const callback = (callId: string) => JSON.stringify({ ...seed, callId });

const hmac = (secret: string, timestamp: number, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

const refused = (code: string, message: string) => ({ error: { code, message } });
const MISSING = refused(
  'SIGNATURE_MISSING',
  `this tenant's callbacks must be signed: send Callstream-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
);
const MALFORMED = refused(
  'SIGNATURE_MALFORMED',
  'the Callstream-Signature header must be t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]',
);
const MISMATCH = refused('SIGNATURE_MISMATCH', "no v1 signature matches the body and timestamp under the tenant's signing secret");
const OUT_OF_TOLERANCE = refused(
  'SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE',
  "the signature's timestamp t is more than 300 seconds away from the ingress's clock; sign each request as it is sent",
);

let ingress: TestIngress;
let clock = new Date();
let secret: string;
const logLines: string[] = [];
const secrets: string[] = [];

beforeAll(async () => {
  ingress = await startTestIngress({
    now: () => clock,
    logger: { level: 'trace', stream: { write: (line: string) => logLines.push(line) } },
  });
  // Before any request, so the ingress reads the tenant with its secret.
  secret = (await setSigningSecret(ingress.db.pool, ingress.tenant.tenantId, { kind: 'generate', graceSeconds: 0 })).signingSecret!;
  secrets.push(secret);
});
afterAll(() => ingress?.close());

const postSigned = (body: string, signature: string | undefined, tenant: CreatedTenant = ingress.tenant) =>
  ingress.post(body, {
    url: `/v1/tenants/${tenant.tenantId}/call-records`,
    headers: { authorization: `Bearer ${tenant.ingestToken}`, ...(signature === undefined ? {} : { 'callstream-signature': signature }) },
  });

const signedNow = (key: string, body: string) => `t=${seconds(clock)},v1=${hmac(key, seconds(clock), body)}`;

async function metric(reason: string): Promise<string | undefined> {
  const { body } = await ingress.app.inject({ method: 'GET', url: '/metrics' });
  return new RegExp(`^ingress_callback_signature_refused_total\\{reason="${reason}",service="ingress"\\} (\\d+)$`, 'm').exec(body)?.[1];
}

describe('a tenant that signs its callbacks', () => {
  it('is served with a right signature, and the record is on the topic as for any callback', async () => {
    const body = callback('signed-accepted');
    const response = await postSigned(body, signedNow(secret, body));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'accepted', callId: 'signed-accepted', eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [record] = await readAllMessages(ingress.kafka, ingress.topics.callRecords);
    expect(record!.key!.toString()).toBe(`${ingress.tenant.tenantId}:signed-accepted`);
    expect(JSON.parse(record!.value!.toString())).toMatchObject({
      eventId: response.json().eventId,
      tenantId: ingress.tenant.tenantId,
      callback: { callId: 'signed-accepted' },
    });
  });

  it('gets 401 with a distinct code for a missing, malformed, wrong, tampered or old signature, and nothing is published or quarantined', async () => {
    const before = await recordCount(ingress.kafka, ingress.topics.callRecords);
    const body = callback('signed-refused-a');
    // One byte apart: the last letter of the call id.
    const tampered = callback('signed-refused-b');
    expect([...Buffer.from(body)].filter((byte, index) => byte !== Buffer.from(tampered)[index])).toHaveLength(1);
    const sixMinutesAgo = seconds(clock) - 360;

    const cases: Array<[string, string, string | undefined, object]> = [
      ['missing', body, undefined, MISSING],
      ['malformed', body, `v1=${hmac(secret, seconds(clock), body)}`, MALFORMED],
      ['wrong secret', body, signedNow('not-the-secret', body), MISMATCH],
      ['body changed by one byte', tampered, signedNow(secret, body), MISMATCH],
      ['six minutes old', body, `t=${sixMinutesAgo},v1=${hmac(secret, sixMinutesAgo, body)}`, OUT_OF_TOLERANCE],
      // Refused before decoding: a body the schema refuses is not quarantined either.
      ['wrong, on a body that would be quarantined', '{"callId": 42}', signedNow('not-the-secret', '{"callId": 42}'), MISMATCH],
      ['missing, on a body that is not JSON', '{not json', undefined, MISSING],
    ];
    for (const [name, sent, signature, answer] of cases) {
      const response = await postSigned(sent, signature);
      expect({ name, status: response.statusCode, body: response.json() }).toEqual({ name, status: 401, body: answer });
    }
    expect(await recordCount(ingress.kafka, ingress.topics.callRecords)).toBe(before);
    expect(await recordCount(ingress.kafka, ingress.topics.rejected)).toBe(0);
    expect({
      missing: await metric('missing'),
      malformed: await metric('malformed'),
      mismatch: await metric('mismatch'),
      timestamp_out_of_tolerance: await metric('timestamp_out_of_tolerance'),
    }).toEqual({ missing: '2', malformed: '1', mismatch: '3', timestamp_out_of_tolerance: '1' });
  });

  it('is refused with the wrong-token 401 before its signature counts', async () => {
    const body = callback('signed-wrong-token');
    const response = await postSigned(body, signedNow(secret, body), { ...ingress.tenant, ingestToken: 'not-the-token' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual(refused('UNAUTHORIZED', 'unknown tenant or wrong ingest token'));
  });
});

describe('a tenant without a signing secret', () => {
  let unsigned: CreatedTenant;
  beforeAll(async () => {
    unsigned = await createTenantRepository(ingress.db.pool).create({ name: 'unsigned tenant', timezone: 'Asia/Tokyo' });
  });

  it('is served without a signature, and with any header of that name, as before', async () => {
    for (const [callId, signature] of [
      ['unsigned-plain', undefined],
      ['unsigned-garbage', 'garbage'],
      ['unsigned-old', `t=1,v1=${'0'.repeat(64)}`],
    ] as const) {
      const response = await postSigned(callback(callId), signature, unsigned);
      expect({ callId, status: response.statusCode }).toEqual({ callId, status: 200 });
    }
  });
});

describe('a rotated signing secret', () => {
  let rotatedTenant: CreatedTenant;
  let oldSecret: string;
  let newSecret: string;
  let validUntil: Date;

  beforeAll(async () => {
    rotatedTenant = await createTenantRepository(ingress.db.pool).create({ name: 'rotating tenant', timezone: 'Asia/Tokyo' });
    oldSecret = (await setSigningSecret(ingress.db.pool, rotatedTenant.tenantId, { kind: 'generate', graceSeconds: 0 })).signingSecret!;
    const rotated = await setSigningSecret(ingress.db.pool, rotatedTenant.tenantId, { kind: 'generate', graceSeconds: 600 });
    newSecret = rotated.signingSecret!;
    validUntil = new Date(rotated.previousSigningSecretValidUntil!);
    secrets.push(oldSecret, newSecret);
  });

  it('keeps the old secret valid during its grace period, beside the new one, and only the new one after', async () => {
    clock = new Date();
    const during = callback('rotation-during');
    expect((await postSigned(during, signedNow(oldSecret, during), rotatedTenant)).statusCode).toBe(200);
    expect((await postSigned(during, signedNow(newSecret, during), rotatedTenant)).statusCode).toBe(200);
    // Both at once, as a sender that switches over signs.
    const both = `t=${seconds(clock)},v1=${hmac(oldSecret, seconds(clock), during)},v1=${hmac(newSecret, seconds(clock), during)}`;
    expect((await postSigned(during, both, rotatedTenant)).statusCode).toBe(200);

    // The last millisecond of the grace period, then its end (the ingress's clock is the test's).
    clock = new Date(validUntil.getTime() - 1);
    const late = callback('rotation-late');
    expect((await postSigned(late, signedNow(oldSecret, late), rotatedTenant)).statusCode).toBe(200);
    clock = validUntil;
    const after = callback('rotation-after');
    const refusedOld = await postSigned(after, signedNow(oldSecret, after), rotatedTenant);
    expect({ status: refusedOld.statusCode, body: refusedOld.json() }).toEqual({ status: 401, body: MISMATCH });
    expect((await postSigned(after, signedNow(newSecret, after), rotatedTenant)).statusCode).toBe(200);
    expect((await postSigned(after, both.replace(/^t=\d+/, `t=${seconds(clock)}`), rotatedTenant)).statusCode).toBe(401);
  });
});

describe('a secret generated while the ingress holds the tenant in its cache', () => {
  // An ingress that caches tenants for a minute, as in production (the others read them fresh).
  let cached: TestIngress;
  beforeAll(async () => {
    cached = await startTestIngress({ settings: { TENANT_CACHE_TTL_MS: 60_000 } });
  });
  afterAll(() => cached?.close());

  it('signs at once, and the secret it replaced without a grace period stops with it', async () => {
    const first = (await setSigningSecret(cached.db.pool, cached.tenant.tenantId, { kind: 'generate', graceSeconds: 0 })).signingSecret!;
    const post = (key: string, callId: string) => {
      const body = callback(callId);
      const now = Math.floor(Date.now() / 1000);
      return cached.post(body, { headers: { 'callstream-signature': `t=${now},v1=${hmac(key, now, body)}` } });
    };
    expect((await post(first, 'cached-first')).statusCode).toBe(200);
    // A tenant is read again at most once a second: past that, the new secret's first signature reads it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const generated = (await setSigningSecret(cached.db.pool, cached.tenant.tenantId, { kind: 'generate', graceSeconds: 0 }))
      .signingSecret!;
    expect((await post(generated, 'cached-generated')).statusCode).toBe(200);
    const old = await post(first, 'cached-old');
    expect({ status: old.statusCode, body: old.json() }).toEqual({ status: 401, body: MISMATCH });
    expect(await recordCount(cached.kafka, cached.topics.callRecords)).toBe(2);
  });
});

describe('the log', () => {
  it('holds no signing secret and no signature header of any request above', () => {
    const log = logLines.join('');
    expect(log).toContain('"msg":"incoming request"');
    expect(secrets.length).toBe(3);
    for (const shown of secrets) expect(log).not.toContain(shown);
    expect(log).not.toMatch(/v1=[0-9a-f]{64}/);
    expect(log.toLowerCase()).not.toContain('callstream-signature');
  });
});
