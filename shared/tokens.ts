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

/** True when the token hashes to the stored hash; pass undefined for an unknown tenant. */
export function tokenMatches(token: string, storedHash: Buffer | undefined): boolean {
  const presented = hashToken(token);
  const expected = storedHash && storedHash.length === presented.length ? storedHash : DUMMY_HASH;
  return timingSafeEqual(presented, expected) && expected !== DUMMY_HASH;
}
