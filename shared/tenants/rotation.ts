import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import { generateToken, hashToken } from '../tokens.ts';
import type { TokenKind } from './authenticator.ts';
import { TenantNotFoundError } from './repository.ts';

/** The longest grace period a rotation may give the old token: 30 days. */
export const MAX_GRACE_SECONDS = 30 * 24 * 60 * 60;

export interface RotatedToken {
  tenantId: string;
  kind: TokenKind;
  /** The new token: shown this once, only its hash is stored. */
  token: string;
  /** Until when the replaced token is still accepted; null: it stopped with the rotation. */
  previousTokenValidUntil: string | null;
}

/*
 * One statement per kind, so that no column name is put together at run time. The old hash moves to the
 * previous slot with the end of its grace period, measured by the database's clock; a grace period of 0
 * leaves the slot empty, so the old token stops at once whatever the services' clocks say. A rotation
 * during another's grace period replaces that previous token: only the one just replaced keeps working.
 */
const ROTATE: Record<TokenKind, string> = {
  ingest: `update tenants set
             previous_ingest_token_hash = case when $3::integer > 0 then ingest_token_hash end,
             previous_ingest_token_expires_at = case when $3::integer > 0 then now() + $3::integer * interval '1 second' end,
             ingest_token_hash = $2
           where tenant_id = $1::uuid
           returning previous_ingest_token_expires_at as previous_valid_until`,
  access: `update tenants set
             previous_access_token_hash = case when $3::integer > 0 then access_token_hash end,
             previous_access_token_expires_at = case when $3::integer > 0 then now() + $3::integer * interval '1 second' end,
             access_token_hash = $2
           where tenant_id = $1::uuid
           returning previous_access_token_expires_at as previous_valid_until`,
};

const rotatedRow = z.object({ previous_valid_until: z.date().nullable() });

export async function rotateToken(db: Pool, tenantId: string, kind: TokenKind, graceSeconds: number): Promise<RotatedToken> {
  const token = generateToken();
  const { rows } = await db.query(ROTATE[kind], [tenantId, hashToken(token), graceSeconds]);
  if (rows.length === 0) throw new TenantNotFoundError(tenantId);
  const { previous_valid_until } = rotatedRow.parse(rows[0]);
  return { tenantId, kind, token, previousTokenValidUntil: previous_valid_until?.toISOString() ?? null };
}
