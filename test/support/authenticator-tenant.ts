import { hashToken } from '../../shared/tokens.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';

/** The one tenant the authenticator's unit tests look up: its tokens are 'ingest-token' and 'access-token'. */
export const TENANT: Tenant = {
  tenantId: '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b',
  name: 'test',
  timezone: 'Asia/Tokyo',
  status: 'active',
  ingestTokenHash: hashToken('ingest-token'),
  accessTokenHash: hashToken('access-token'),
};

/** The authenticator's answers for TENANT's right tokens, and for everything else. */
export const AUTHENTICATED = { outcome: 'authenticated', tenant: TENANT } as const;
export const REFUSED = { outcome: 'refused' } as const;
