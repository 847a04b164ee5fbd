import type { FastifyBaseLogger } from 'fastify';
import { errorSummary, isTransientPostgresFailure } from '../../../shared/db/errors.ts';
import type { Tenant } from '../../../shared/tenants/repository.ts';
import { verifyCallbackSignature, type SignatureRefusal } from './callback-signature.ts';

type SigningTenant = Pick<Tenant, 'tenantId' | 'signingSecret' | 'previousSigningSecret'>;

/**
 * A tenant's signed callbacks: a tenant with a signing secret has each callback's signature checked
 * against it (and against the previous secret while a rotation's grace period lasts, by the ingress's
 * clock); a tenant without one sends as before, with or without the header.
 */
export interface TenantSignatures {
  /** SIGNATURE_TOLERANCE_SECONDS: how far a timestamp may be from now, either way. */
  readonly toleranceSeconds: number;
  /** Undefined: accepted (no signature required, or a right one); else why it is refused. */
  check(tenant: SigningTenant, header: unknown, body: Buffer, log: FastifyBaseLogger): Promise<SignatureRefusal | undefined>;
}

export interface TenantSignaturesDeps {
  toleranceSeconds: number;
  now: () => Date;
  /** The tenant read afresh (TenantAuthenticator.recheck): at most once a second per tenant. */
  recheck: (tenantId: string) => Promise<SigningTenant | undefined>;
}

/** The secrets a signature may be made with now; undefined when the tenant requires none. */
export function acceptedSigningSecrets(tenant: SigningTenant, nowMs: number): string[] | undefined {
  if (tenant.signingSecret === undefined) return undefined;
  const previous = tenant.previousSigningSecret;
  return previous && previous.validUntil.getTime() > nowMs ? [tenant.signingSecret, previous.secret] : [tenant.signingSecret];
}

export function createTenantSignatures(deps: TenantSignaturesDeps): TenantSignatures {
  function verify(tenant: SigningTenant, header: unknown, body: Buffer, nowMs: number): SignatureRefusal | undefined {
    const secrets = acceptedSigningSecrets(tenant, nowMs);
    return secrets && verifyCallbackSignature({ header, body, secrets, nowMs, toleranceSeconds: deps.toleranceSeconds });
  }

  return {
    toleranceSeconds: deps.toleranceSeconds,
    async check(tenant, header, body, log) {
      const nowMs = deps.now().getTime();
      const refusal = verify(tenant, header, body, nowMs);
      if (refusal !== 'mismatch') return refusal;
      // A signature made with a secret generated since the tenant was cached works at once, as a new token
      // does: checked again against the tenant read afresh.
      let fresh: SigningTenant | undefined;
      try {
        fresh = await deps.recheck(tenant.tenantId);
      } catch (error) {
        // The cached copy's answer stands: a signature flood must not turn into 503s while Postgres is away.
        if (!isTransientPostgresFailure(error)) throw error;
        log.warn({ error: errorSummary(error) }, 'tenant lookup for a signature check failed');
      }
      return fresh ? verify(fresh, header, body, nowMs) : refusal;
    },
  };
}
