import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import { generateToken } from '../tokens.ts';
import { TenantNotFoundError } from './repository.ts';
import { tenantSummary, type TenantSummary } from './tenant-summary.ts';

/**
 * A tenant's callback signing secret (migration 0008): a new one, which the ingress requires its callbacks
 * to be signed with, or none, after which they are taken unsigned again. Running ingresses apply it within
 * TENANT_CACHE_TTL_MS, and a signature made with a new secret at once (the ingress reads the tenant again
 * when a signature does not match).
 */
export type SigningSecretChange = { kind: 'generate'; graceSeconds: number } | { kind: 'none' };

export interface SigningSecretResult {
  tenant: TenantSummary;
  /** The new secret: shown this once. Stored as it is, since the ingress needs the key to check an HMAC. */
  signingSecret?: string;
  /** Until when signatures made with the replaced secret are still accepted; null: they stopped now. */
  previousSigningSecretValidUntil?: string | null;
}

/*
 * As a token rotation (rotation.ts): the old secret moves to the previous slot with the end of its grace
 * period by the database's clock; a grace of 0, or no secret before, leaves that slot empty. A rotation
 * during another's grace period replaces the previous secret: only the one just replaced keeps working.
 */
const GENERATE = `update tenants set
    previous_signing_secret = case when $3::integer > 0 then signing_secret end,
    previous_signing_secret_expires_at =
      case when $3::integer > 0 and signing_secret is not null then now() + $3::integer * interval '1 second' end,
    signing_secret = $2
  where tenant_id = $1::uuid
  returning tenant_id, name, timezone, status, created_at, retention_days, signing_secret is not null as signature_required,
            previous_signing_secret_expires_at as previous_valid_until`;

const REMOVE = `update tenants set signing_secret = null, previous_signing_secret = null, previous_signing_secret_expires_at = null
  where tenant_id = $1::uuid
  returning tenant_id, name, timezone, status, created_at, retention_days, signing_secret is not null as signature_required`;

const generatedRow = z.object({ previous_valid_until: z.date().nullable() });

export async function setSigningSecret(db: Pool, tenantId: string, change: SigningSecretChange): Promise<SigningSecretResult> {
  if (change.kind === 'none') {
    const { rows } = await db.query(REMOVE, [tenantId]);
    if (rows.length === 0) throw new TenantNotFoundError(tenantId);
    return { tenant: tenantSummary(rows[0]) };
  }
  // 256 random bits, written as the tokens are; the HMAC key is this text's bytes (README "Signed callbacks").
  const signingSecret = generateToken();
  const { rows } = await db.query(GENERATE, [tenantId, signingSecret, change.graceSeconds]);
  if (rows.length === 0) throw new TenantNotFoundError(tenantId);
  const { previous_valid_until } = generatedRow.parse(rows[0]);
  return { tenant: tenantSummary(rows[0]), signingSecret, previousSigningSecretValidUntil: previous_valid_until?.toISOString() ?? null };
}
