import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Pool } from '../db/pool.ts';
import { generateToken, hashToken } from '../tokens.ts';

export const TENANT_STATUSES = ['active', 'disabled'] as const;
/** A disabled tenant's senders and API clients are refused; its rows stay (migration 0004). */
export type TenantStatus = (typeof TENANT_STATUSES)[number];

const tenantRow = z.object({
  tenant_id: z.string(),
  name: z.string(),
  timezone: z.string(),
  status: z.enum(TENANT_STATUSES),
  ingest_token_hash: z.instanceof(Buffer),
  access_token_hash: z.instanceof(Buffer),
  previous_ingest_token_hash: z.instanceof(Buffer).nullable(),
  previous_ingest_token_expires_at: z.date().nullable(),
  previous_access_token_hash: z.instanceof(Buffer).nullable(),
  previous_access_token_expires_at: z.date().nullable(),
  rate_per_second: z.number().int().nonnegative().nullable(),
  burst: z.number().int().positive().nullable(),
  signing_secret: z.string().nullable(),
  previous_signing_secret: z.string().nullable(),
  previous_signing_secret_expires_at: z.date().nullable(),
});

/** The token a rotation replaced: accepted while `validUntil` is in the future (the grace period). */
export interface RetiredToken {
  hash: Buffer;
  validUntil: Date;
}

/** The signing secret a rotation replaced: its signatures are accepted while `validUntil` is in the future. */
export interface RetiredSigningSecret {
  secret: string;
  validUntil: Date;
}

export interface Tenant {
  tenantId: string;
  name: string;
  timezone: string;
  status: TenantStatus;
  ingestTokenHash: Buffer;
  accessTokenHash: Buffer;
  /** Present while a rotation's grace period may still be running (the authenticator checks the time). */
  previousIngestToken?: RetiredToken;
  previousAccessToken?: RetiredToken;
  /** The tenant's own rate limit at the ingress (migration 0006); absent: the configured default. */
  ratePerSecond?: number;
  burst?: number;
  /**
   * The key its callbacks are signed with (migration 0008); absent: no signature is required. Never to be
   * logged or shown: it is the secret itself, not a hash.
   */
  signingSecret?: string;
  /** Present while a signing secret rotation's grace period may still be running (the ingress checks the time). */
  previousSigningSecret?: RetiredSigningSecret;
}

export interface CreatedTenant {
  tenantId: string;
  ingestToken: string;
  accessToken: string;
}

export interface NewTenant {
  name: string;
  timezone: string;
  /** An existing id and tokens to keep (a commubo tenant moving over); generated when absent. */
  tenantId?: string;
  ingestToken?: string;
  accessToken?: string;
}

export interface TenantRepository {
  create(input: NewTenant): Promise<CreatedTenant>;
  find(tenantId: string): Promise<Tenant | undefined>;
}

/** Creating a tenant whose id is taken: the CLI says so in one line instead of a unique-violation trace. */
export class TenantExistsError extends Error {
  readonly code = 'TENANT_EXISTS';
  constructor(readonly tenantId: string) {
    // No cause: the unique violation adds nothing, and its absence keeps this from reading as a Postgres outage.
    super(`tenant ${tenantId} already exists`);
    this.name = 'TenantExistsError';
  }
}

/** Changing a tenant that does not exist: the CLI says so in one line and nothing is changed. */
export class TenantNotFoundError extends Error {
  readonly code = 'TENANT_NOT_FOUND';
  constructor(readonly tenantId: string) {
    super(`tenant ${tenantId} does not exist`);
    this.name = 'TenantNotFoundError';
  }
}

const UNIQUE_VIOLATION = '23505';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTenantId(value: string): boolean {
  return UUID.test(value);
}

export function createTenantRepository(db: Pool): TenantRepository {
  return {
    async create({ name, timezone, tenantId, ingestToken, accessToken }) {
      const created = {
        tenantId: tenantId ?? randomUUID(),
        ingestToken: ingestToken ?? generateToken(),
        accessToken: accessToken ?? generateToken(),
      };
      try {
        await db.query(
          `insert into tenants (tenant_id, name, timezone, ingest_token_hash, access_token_hash)
           values ($1::uuid, $2, $3, $4, $5)`,
          [created.tenantId, name, timezone, hashToken(created.ingestToken), hashToken(created.accessToken)],
        );
      } catch (error) {
        if ((error as { code?: unknown }).code === UNIQUE_VIOLATION) throw new TenantExistsError(created.tenantId);
        throw error;
      }
      return created;
    },

    async find(tenantId) {
      if (!isTenantId(tenantId)) return undefined;
      const { rows } = await db.query(
        `select tenant_id, name, timezone, status, ingest_token_hash, access_token_hash,
                previous_ingest_token_hash, previous_ingest_token_expires_at,
                previous_access_token_hash, previous_access_token_expires_at,
                rate_per_second, burst,
                signing_secret, previous_signing_secret, previous_signing_secret_expires_at
         from tenants where tenant_id = $1::uuid`,
        [tenantId],
      );
      if (rows.length === 0) return undefined;
      const row = tenantRow.parse(rows[0]);
      return {
        tenantId: row.tenant_id,
        name: row.name,
        timezone: row.timezone,
        status: row.status,
        ingestTokenHash: row.ingest_token_hash,
        accessTokenHash: row.access_token_hash,
        previousIngestToken: retired(row.previous_ingest_token_hash, row.previous_ingest_token_expires_at),
        previousAccessToken: retired(row.previous_access_token_hash, row.previous_access_token_expires_at),
        ...(row.rate_per_second === null ? {} : { ratePerSecond: row.rate_per_second }),
        ...(row.burst === null ? {} : { burst: row.burst }),
        ...(row.signing_secret === null ? {} : { signingSecret: row.signing_secret }),
        ...(row.previous_signing_secret && row.previous_signing_secret_expires_at
          ? { previousSigningSecret: { secret: row.previous_signing_secret, validUntil: row.previous_signing_secret_expires_at } }
          : {}),
      };
    },
  };
}

const retired = (hash: Buffer | null, validUntil: Date | null): RetiredToken | undefined =>
  hash && validUntil ? { hash, validUntil } : undefined;
