import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MAX_SIGNATURE_ELEMENTS,
  parseSignatureHeader,
  verifyCallbackSignature,
  type SignatureCheck,
} from '../../services/ingress/signature/callback-signature.ts';
import { acceptedSigningSecrets, createTenantSignatures } from '../../services/ingress/signature/tenant-signatures.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';

/**
 * The signature check of signed callbacks, pure: the header's grammar, the HMAC over "<t>.<raw body>"
 * with every accepted secret, the tolerance by a clock of the test's, and the tenant's secrets during a
 * rotation. The reference signature is openssl's, so the check agrees with what the README tells senders
 * to run:
 *   printf '%s' '1767225600.{"callId":"c-1"}' | openssl dgst -sha256 -hmac 'test-signing-secret' -hex
 */
const SECRET = 'test-signing-secret';
const T = 1_767_225_600;
const BODY = Buffer.from('{"callId":"c-1"}');
const OPENSSL_V1 = 'e48f35ac55b5e147c149f40472e6ea06c1de2560b3683933bb61776ccb0ab27b';
const OTHER_V1 = 'ab'.repeat(32);

const sign = (secret: string, timestamp: number | string, body: Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

const check = (overrides: Partial<SignatureCheck>) =>
  verifyCallbackSignature({
    header: `t=${T},v1=${OPENSSL_V1}`,
    body: BODY,
    secrets: [SECRET],
    nowMs: T * 1000,
    toleranceSeconds: 300,
    ...overrides,
  });

describe('parseSignatureHeader', () => {
  it('reads t and every v1, with spaces around the elements, in any order, hex of either case', () => {
    expect(parseSignatureHeader(`t=${T},v1=${OPENSSL_V1}`)).toEqual({ timestamp: String(T), signatures: [Buffer.from(OPENSSL_V1, 'hex')] });
    expect(parseSignatureHeader(` v1=${OTHER_V1.toUpperCase()} , t=${T} ,v1=${OPENSSL_V1}`)).toEqual({
      timestamp: String(T),
      signatures: [Buffer.from(OTHER_V1, 'hex'), Buffer.from(OPENSSL_V1, 'hex')],
    });
  });

  it('skips the elements of other schemes', () => {
    expect(parseSignatureHeader(`t=${T},v0=anything,v1=${OPENSSL_V1},v2=later`)).toEqual({
      timestamp: String(T),
      signatures: [Buffer.from(OPENSSL_V1, 'hex')],
    });
  });

  it('says missing only when there is no header', () => {
    expect(parseSignatureHeader(undefined)).toBe('missing');
  });

  it.each([
    ['empty', ''],
    ['a repeated header (Node joins the copies with ", ")', `t=${T},v1=${OPENSSL_V1}, t=${T},v1=${OPENSSL_V1}`],
    ['no timestamp', `v1=${OPENSSL_V1}`],
    ['no v1', `t=${T}`],
    ['only other schemes', `t=${T},v0=${OPENSSL_V1}`],
    ['a timestamp with a leading zero', `t=0${T},v1=${OPENSSL_V1}`],
    ['a negative timestamp', `t=-${T},v1=${OPENSSL_V1}`],
    ['a timestamp in milliseconds beyond 12 digits', `t=${T}000,v1=${OPENSSL_V1}`],
    ['a fractional timestamp', `t=${T}.5,v1=${OPENSSL_V1}`],
    ['an ISO timestamp', `t=2026-01-01T00:00:00Z,v1=${OPENSSL_V1}`],
    ['a v1 one digit short', `t=${T},v1=${OPENSSL_V1.slice(1)}`],
    ['a v1 not hex', `t=${T},v1=${'g'.repeat(64)}`],
    ['a v1 in base64', `t=${T},v1=${Buffer.from(OPENSSL_V1, 'hex').toString('base64')}`],
    ['an element without =', `t=${T},v1=${OPENSSL_V1},sha256`],
    ['a trailing comma', `t=${T},v1=${OPENSSL_V1},`],
    ['a scheme that is not a word', `t=${T},v1=${OPENSSL_V1},=x`],
    ['Stripe\'s separator ";"', `t=${T};v1=${OPENSSL_V1}`],
    [
      `more than ${MAX_SIGNATURE_ELEMENTS} elements`,
      [`t=${T}`, ...Array.from({ length: MAX_SIGNATURE_ELEMENTS }, () => `v1=${OPENSSL_V1}`)].join(','),
    ],
  ])('refuses %s as malformed', (_name, header) => {
    expect(parseSignatureHeader(header)).toBe('malformed');
  });

  it('refuses a value that is not one string as malformed', () => {
    expect(parseSignatureHeader([`t=${T},v1=${OPENSSL_V1}`])).toBe('malformed');
  });

  it(`takes ${MAX_SIGNATURE_ELEMENTS} elements`, () => {
    const header = [`t=${T}`, ...Array.from({ length: MAX_SIGNATURE_ELEMENTS - 1 }, () => `v1=${OPENSSL_V1}`)].join(',');
    expect(parseSignatureHeader(header)).toMatchObject({ timestamp: String(T) });
  });
});

describe('verifyCallbackSignature', () => {
  it("accepts openssl's HMAC-SHA256 of <t>.<raw body> under the secret", () => {
    expect(sign(SECRET, T, BODY)).toBe(OPENSSL_V1);
    expect(check({})).toBeUndefined();
  });

  it('refuses a body changed by one byte, another secret, another timestamp, and a signature of the body alone', () => {
    const changed = Buffer.from(BODY);
    changed.writeUInt8(changed[changed.length - 2]! ^ 0x01, changed.length - 2);
    expect(check({ body: changed })).toBe('mismatch');
    expect(check({ secrets: ['another-secret'] })).toBe('mismatch');
    expect(check({ header: `t=${T + 1},v1=${OPENSSL_V1}`, nowMs: (T + 1) * 1000 })).toBe('mismatch');
    const bodyOnly = createHmac('sha256', SECRET).update(BODY).digest('hex');
    expect(check({ header: `t=${T},v1=${bodyOnly}` })).toBe('mismatch');
  });

  it('signs the raw bytes: a body that is not UTF-8 is checked as it came', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(check({ body: bytes, header: `t=${T},v1=${sign(SECRET, T, bytes)}` })).toBeUndefined();
    expect(check({ body: Buffer.from(bytes.toString('utf8')), header: `t=${T},v1=${sign(SECRET, T, bytes)}` })).toBe('mismatch');
  });

  it('accepts when any v1 matches any accepted secret (a rotation signed both ways)', () => {
    expect(check({ header: `t=${T},v1=${OTHER_V1},v1=${OPENSSL_V1}` })).toBeUndefined();
    expect(check({ secrets: ['new-secret', SECRET] })).toBeUndefined();
    expect(check({ secrets: [] })).toBe('mismatch');
  });

  it('accepts a timestamp up to the tolerance away either way, and refuses one a millisecond beyond', () => {
    expect(check({ nowMs: (T + 300) * 1000 })).toBeUndefined();
    expect(check({ nowMs: (T - 300) * 1000 })).toBeUndefined();
    expect(check({ nowMs: (T + 300) * 1000 + 1 })).toBe('timestamp_out_of_tolerance');
    expect(check({ nowMs: (T - 300) * 1000 - 1 })).toBe('timestamp_out_of_tolerance');
    expect(check({ nowMs: (T + 360) * 1000 })).toBe('timestamp_out_of_tolerance');
    expect(check({ nowMs: (T + 360) * 1000, toleranceSeconds: 360 })).toBeUndefined();
  });

  it('checks the signature before the timestamp: a wrong one that is also old is a mismatch', () => {
    expect(check({ header: `t=${T},v1=${OTHER_V1}`, nowMs: (T + 3600) * 1000 })).toBe('mismatch');
  });

  it('passes on what the header parse says', () => {
    expect(check({ header: undefined })).toBe('missing');
    expect(check({ header: `t=${T}` })).toBe('malformed');
  });
});

const tenant = (secrets: Partial<Pick<Tenant, 'signingSecret' | 'previousSigningSecret'>>) => ({
  tenantId: '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b',
  ...secrets,
});

describe('acceptedSigningSecrets', () => {
  const validUntil = new Date(T * 1000);
  it('none for a tenant without a secret; the previous one only before the end of its grace period', () => {
    expect(acceptedSigningSecrets(tenant({}), T * 1000)).toBeUndefined();
    expect(acceptedSigningSecrets(tenant({ signingSecret: 'new' }), T * 1000)).toEqual(['new']);
    const rotated = tenant({ signingSecret: 'new', previousSigningSecret: { secret: 'old', validUntil } });
    expect(acceptedSigningSecrets(rotated, T * 1000 - 1)).toEqual(['new', 'old']);
    expect(acceptedSigningSecrets(rotated, T * 1000)).toEqual(['new']);
  });
});

describe('createTenantSignatures', () => {
  const log = { warn: () => undefined } as never;
  const header = `t=${T},v1=${OPENSSL_V1}`;
  const signatures = (recheck: (tenantId: string) => Promise<ReturnType<typeof tenant> | undefined>) =>
    createTenantSignatures({ toleranceSeconds: 300, now: () => new Date(T * 1000), recheck });

  it('takes anything from a tenant without a secret, and never reads it again', async () => {
    let reads = 0;
    const check = signatures(async () => (reads++, undefined)).check;
    expect(await check(tenant({}), undefined, BODY, log)).toBeUndefined();
    expect(await check(tenant({}), 'garbage', BODY, log)).toBeUndefined();
    expect(reads).toBe(0);
  });

  it('reads the tenant again on a mismatch only, so a secret generated since it was cached works at once', async () => {
    const reads: string[] = [];
    let stored = tenant({ signingSecret: SECRET });
    const check = signatures(async (tenantId) => (reads.push(tenantId), stored)).check;
    const cached = tenant({ signingSecret: 'secret-before-the-rotation' });
    expect(await check(cached, header, BODY, log)).toBeUndefined();
    expect(reads).toEqual([cached.tenantId]);
    expect(await check(cached, undefined, BODY, log)).toBe('missing');
    expect(await check(cached, `t=${T}`, BODY, log)).toBe('malformed');
    expect(reads).toHaveLength(1);
    stored = tenant({ signingSecret: 'yet-another-secret' });
    expect(await check(cached, header, BODY, log)).toBe('mismatch');
    expect(reads).toHaveLength(2);
  });

  it('keeps the mismatch when the tenant cannot be read again right now, and throws what is not Postgres', async () => {
    const unavailable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const warned: unknown[] = [];
    const warnLog = { warn: (...args: unknown[]) => warned.push(args) } as never;
    const cached = tenant({ signingSecret: 'secret-before-the-rotation' });
    expect(await signatures(() => Promise.reject(unavailable)).check(cached, header, BODY, warnLog)).toBe('mismatch');
    expect(warned).toHaveLength(1);
    expect(JSON.stringify(warned)).not.toContain('secret-before-the-rotation');
    await expect(signatures(() => Promise.reject(new TypeError('a bug'))).check(cached, header, BODY, log)).rejects.toThrow('a bug');
  });
});

describe('SIGNATURE_TOLERANCE_SECONDS', () => {
  it('defaults to 5 minutes; 0 and non-decimals are refused', () => {
    expect(loadConfig({}).SIGNATURE_TOLERANCE_SECONDS).toBe(300);
    expect(loadConfig({ SIGNATURE_TOLERANCE_SECONDS: '60' }).SIGNATURE_TOLERANCE_SECONDS).toBe(60);
    expect(() => loadConfig({ SIGNATURE_TOLERANCE_SECONDS: '0' })).toThrow(
      'invalid environment variable SIGNATURE_TOLERANCE_SECONDS="0": must be a decimal integer of at least 1',
    );
    expect(() => loadConfig({ SIGNATURE_TOLERANCE_SECONDS: '5m' })).toThrow(
      'invalid environment variable SIGNATURE_TOLERANCE_SECONDS="5m": must be a decimal integer of at least 1',
    );
  });
});
