import type { CommandGroup } from './command.ts';
import { dlqGroup } from './dlq/group.ts';
import { eraseGroup } from './erase/group.ts';
import { quarantineGroup } from './quarantine/group.ts';
import { retentionGroup } from './retention/group.ts';
import { tenantsGroup } from './tenants/group.ts';

/** The groups of `npm run cli`, in the order the help lists them: one folder each under scripts/cli/. */
export const GROUPS: readonly CommandGroup[] = [tenantsGroup, quarantineGroup, dlqGroup, eraseGroup, retentionGroup];
