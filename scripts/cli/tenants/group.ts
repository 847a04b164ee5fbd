import { TenantExistsError, TenantNotFoundError } from '../../../shared/tenants/repository.ts';
import type { CommandGroup } from '../command.ts';
import { createCommand } from './create.ts';
import { disableCommand } from './disable.ts';
import { enableCommand } from './enable.ts';
import { listCommand } from './list.ts';
import { rotateTokenCommand } from './rotate-token.ts';
import { setCommand } from './set.ts';

export const tenantsGroup: CommandGroup = {
  name: 'tenants',
  summary: 'create, list, rotate the tokens of, disable, enable and configure tenants',
  description: [
    'A tenant is one platform that sends callbacks (with its ingest token) and reads its calls back (with',
    'its access token). Changes reach every running service within TENANT_CACHE_TTL_MS (default 30 s):',
    'the services cache each tenant that long.',
  ].join('\n'),
  commands: [createCommand, listCommand, rotateTokenCommand, disableCommand, enableCommand, setCommand],
  failures: [TenantExistsError, TenantNotFoundError],
};
