import type { Command, CommandGroup } from './command.ts';

/** The help of each level (`--help` prints it to stdout) and the usage line a usage error ends with. */
export const CLI = 'npm run cli --';

const CLI_SYNOPSIS = '<group> <command> [options]';

export function cliUsage(): string {
  return `usage: ${CLI} ${CLI_SYNOPSIS}`;
}

export function groupUsage(group: CommandGroup): string {
  return `usage: ${CLI} ${group.name} <command> [options]`;
}

/** `invocation` is how the command is called: `npm run cli -- tenants create`, or an alias's own words. */
export function commandUsage(command: Command, invocation: string): string {
  return `usage: ${[invocation, command.synopsis].filter(Boolean).join(' ')}`;
}

export function cliHelp(groups: readonly CommandGroup[]): string {
  return [
    cliUsage(),
    '',
    'Operates callstream against the configured database (DATABASE_URL) and Kafka (KAFKA_*).',
    '',
    'groups:',
    ...table(groups.map((group) => [group.name, group.summary])),
    '',
    'Everything a script reads is printed to stdout as one JSON document per line; messages go to stderr.',
    'Exit codes: 0 done, 1 failed (one line on stderr says why), 2 wrong usage (the line, then the usage).',
    `\`${CLI} <group> --help\` lists a group's commands, \`${CLI} <group> <command> --help\` explains one.`,
  ].join('\n');
}

export function groupHelp(group: CommandGroup): string {
  return [
    groupUsage(group),
    '',
    group.description,
    '',
    'commands:',
    ...table(group.commands.map((command) => [command.name, command.summary])),
    '',
    `\`${CLI} ${group.name} <command> --help\` explains one.`,
  ].join('\n');
}

export function commandHelp(command: Command, invocation: string): string {
  const options = Object.entries(command.options).map(([name, spec]): [string, string] => [
    `--${name}${spec.value ? ` ${spec.value}` : ''}`,
    spec.description,
  ]);
  return [
    commandUsage(command, invocation),
    '',
    command.description,
    '',
    'options:',
    ...table([...options, ['-h, --help', 'print this help']]),
  ].join('\n');
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`);
}
