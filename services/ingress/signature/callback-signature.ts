import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A signed callback (README "Signed callbacks"): the sender puts
 *
 *   Callstream-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=<hex>…]
 *
 * on the request, the HMAC keyed with its tenant's signing secret (the secret's text as bytes). Several v1
 * values may be given, one per secret, so that a sender can sign with the old and the new secret while a
 * rotation goes on; one that matches is enough. Elements of other schemes (`v0=…`, a later `v2=…`) are
 * skipped, so a scheme can be added without breaking the senders that do not know it.
 *
 * Pure: the caller passes the raw body as received, the keys and the time, so the check can be run in a
 * unit test with a clock of its own.
 */
export const SIGNATURE_HEADER = 'callstream-signature';

/** Why a signature was refused; the metric's label, hence a closed list. */
export const SIGNATURE_REFUSALS = ['missing', 'malformed', 'mismatch', 'timestamp_out_of_tolerance'] as const;
export type SignatureRefusal = (typeof SIGNATURE_REFUSALS)[number];

export interface SignatureHeader {
  /** The timestamp as written: the signed text starts with it. */
  timestamp: string;
  signatures: Buffer[];
}

/** More elements than this are not a header a sender writes: refused before any HMAC is computed. */
export const MAX_SIGNATURE_ELEMENTS = 16;
/** Unix seconds, no sign or leading zeros: read back, the text is the one that was signed. */
const TIMESTAMP = /^(0|[1-9][0-9]{0,11})$/;
const V1 = /^[0-9a-fA-F]{64}$/;
const SCHEME = /^[a-z][a-z0-9]*$/;

/**
 * The header's timestamp and v1 signatures. A header given twice reaches Node as one value joined with
 * ", ", so it holds two timestamps and is malformed: which copy counts would be a guess.
 */
export function parseSignatureHeader(value: unknown): SignatureHeader | 'missing' | 'malformed' {
  if (value === undefined) return 'missing';
  if (typeof value !== 'string') return 'malformed';
  const elements = value.split(',');
  if (elements.length > MAX_SIGNATURE_ELEMENTS) return 'malformed';
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const element of elements) {
    const equals = element.indexOf('=');
    if (equals < 0) return 'malformed';
    const scheme = element.slice(0, equals).trim();
    const text = element.slice(equals + 1).trim();
    if (scheme === 't') {
      if (timestamp !== undefined || !TIMESTAMP.test(text)) return 'malformed';
      timestamp = text;
    } else if (scheme === 'v1') {
      if (!V1.test(text)) return 'malformed';
      signatures.push(Buffer.from(text, 'hex'));
    } else if (!SCHEME.test(scheme)) {
      return 'malformed';
    }
  }
  if (timestamp === undefined || signatures.length === 0) return 'malformed';
  return { timestamp, signatures };
}

/** HMAC-SHA256 of `<timestamp>.<body>`, keyed with the secret's UTF-8 bytes. */
export function callbackSignature(secret: string, timestamp: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

export interface SignatureCheck {
  /** The Callstream-Signature header as the request carried it (undefined when absent). */
  header: unknown;
  /** The body exactly as received, before any decoding. */
  body: Buffer;
  /** The keys a signature may be made with: the tenant's secret and, in a rotation's grace period, the previous one. */
  secrets: readonly string[];
  nowMs: number;
  toleranceSeconds: number;
}

/**
 * Undefined when one v1 signature is the HMAC of the body under one of the secrets and the timestamp is
 * within the tolerance of now, either way; else why not. Every signature is compared with every key in
 * constant time, without stopping at a match, so the answer's time says nothing of which one matched or
 * how much of it did. The timestamp is checked after the HMAC: a sender with the right key learns that its
 * clock (or a replay) is the problem, one without learns nothing it did not send.
 */
export function verifyCallbackSignature(check: SignatureCheck): SignatureRefusal | undefined {
  const header = parseSignatureHeader(check.header);
  if (typeof header === 'string') return header;
  let matched = false;
  for (const secret of check.secrets) {
    const expected = callbackSignature(secret, header.timestamp, check.body);
    for (const presented of header.signatures) matched = timingSafeEqual(presented, expected) || matched;
  }
  if (!matched) return 'mismatch';
  const skewMs = Math.abs(check.nowMs - Number(header.timestamp) * 1000);
  return skewMs > check.toleranceSeconds * 1000 ? 'timestamp_out_of_tolerance' : undefined;
}
