import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tenant tokens are 256-bit random secrets, so a fast hash is enough to store them: there is nothing to
 * brute-force. Comparison is constant-time, and an unknown tenant is compared against a dummy hash so
 * that its answer costs the same work as a wrong token.
 */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

const DUMMY_HASH = hashToken(generateToken());

/**
 * True when the token hashes to one of the stored hashes (a tenant's current token, and the one a rotation
 * replaced while its grace period lasts). One hash, and one constant-time compare per slot whatever the slot
 * holds: an empty slot (an unknown tenant, no rotation going on) is compared against the dummy hash, so the
 * work is the same for every answer.
 */
export function tokenMatchesOneOf(token: string, storedHashes: readonly (Buffer | undefined)[]): boolean {
  const presented = hashToken(token);
  let matched = false;
  for (const stored of storedHashes) {
    const expected = stored && stored.length === presented.length ? stored : DUMMY_HASH;
    // Compared first, so that no slot is skipped once one matched.
    matched = (timingSafeEqual(presented, expected) && expected !== DUMMY_HASH) || matched;
  }
  return matched;
}
