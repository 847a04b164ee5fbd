import { createHmac } from 'node:crypto';
import type { ErasureSelectorKind } from './erasure.ts';

/**
 * What the audit row keeps of an erasure's selector: HMAC-SHA-256 under ERASURE_HASH_KEY of
 * `<kind>:<value>` (e.g. `phone-number:+81312345678`), so that a request can be matched to the erasure
 * that answered it by whoever holds the key, and the number or call id cannot be read back from the row.
 * The kind is part of the message: a call id and a phone number written alike hash apart.
 */
export function erasureSelectorHash(key: string, kind: ErasureSelectorKind, value: string): Buffer {
  return createHmac('sha256', key).update(`${kind}:${value}`, 'utf8').digest();
}
