import { isTenantId } from '../../../shared/tenants/repository.ts';
import { CommandFailure } from '../command.ts';
import { shown } from '../values.ts';

/**
 * The TENANT_ID argument, lower-cased as stored (commubo prints ids upper-case). One that is not a UUID
 * names no tenant, like an unknown one: a failure (exit 1) in one line, before the database is asked.
 */
export function tenantIdArgument(text: string): string {
  if (!isTenantId(text)) throw new CommandFailure('INVALID_TENANT_ID', `TENANT_ID ${shown(text)} is not a UUID`);
  return text.toLowerCase();
}
