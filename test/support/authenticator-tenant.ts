import { hashToken } from '../../shared/tokens.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';

/** The one tenant the authenticator's unit tests look up: its tokens are 'ingest-token' and 'access-token'. */
export const TENANT: Tenant = {
  tenantId: '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b',
  name: 'test',
  timezone: 'Asia/Tokyo',
  ingestTokenHash: hashToken('ingest-token'),
  accessTokenHash: hashToken('access-token'),
};
