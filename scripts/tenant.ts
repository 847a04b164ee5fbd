import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../shared/config.ts';
import { commandUsage } from './cli/help.ts';
import { asksForHelp } from './cli/parse.ts';
import { PROCESS_IO, runCommand, usageError } from './cli/run.ts';
import { createCommand } from './cli/tenants/create.ts';
import { tenantsGroup } from './cli/tenants/group.ts';

/**
 * npm run tenant -- create --name NAME [--timezone ZONE] [--tenant-id UUID --access-token TOKEN]: the
 * first tenant command, kept as it was; it runs `npm run cli -- tenants create`. As before, the word
 * `create` may stand anywhere among the options.
 */
const INVOCATION = 'npm run tenant -- create';
const args = process.argv.slice(2);
// Not strict: only to find the positionals (an option's value is not one); the command checks the rest.
const options = Object.fromEntries(Object.entries(createCommand.options).map(([name, spec]) => [name, { type: spec.type }]));
const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
const positionals = tokens.filter((token) => token.kind === 'positional');
const environment = { loadConfig: () => loadConfigOrExit(process.env), invocation: INVOCATION, failures: tenantsGroup.failures };

if (positionals.length === 1 && positionals[0]!.value === 'create') {
  process.exitCode = await runCommand(
    createCommand,
    args.filter((_arg, index) => index !== positionals[0]!.index),
    environment,
  );
} else if (asksForHelp(args)) {
  process.exitCode = await runCommand(createCommand, ['--help'], environment);
} else {
  process.exitCode = usageError(PROCESS_IO, 'the only command is "create"', commandUsage(createCommand, INVOCATION));
}
