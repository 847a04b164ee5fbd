import type { Config } from '../../shared/config.ts';
import { startupFailureLine } from '../../shared/startup-error.ts';
import { CommandFailure, UsageError, type Command, type CommandContext, type CommandGroup, type FailureClass } from './command.ts';
import { cliHelp, cliUsage, CLI, commandHelp, commandUsage, groupHelp, groupUsage } from './help.ts';
import { asksForHelp, parseCommandArgs } from './parse.ts';

/**
 * `npm run cli -- <group> <command> [options]`: finds the command, checks its arguments, runs it, and
 * says how it ended with the exit code (0 done, 1 failed, 2 wrong usage). What it prints goes through
 * `io`, so that a test runs the same code in-process; the entry points hand it process.stdout/stderr.
 */
export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CliEnvironment {
  /** Loads the configuration; the entry points pass `() => loadConfigOrExit(process.env)`. */
  loadConfig(): Config;
  io?: CliIo;
}

export const PROCESS_IO: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function runCli(argv: readonly string[], groups: readonly CommandGroup[], environment: CliEnvironment): Promise<number> {
  const io = environment.io ?? PROCESS_IO;
  const [groupName, ...rest] = argv;
  if (groupName === undefined) return usageError(io, 'a group is required', cliUsage());
  if (isHelp(groupName)) return help(io, cliHelp(groups));
  const group = groups.find((candidate) => candidate.name === groupName);
  if (!group) return usageError(io, unknown('group', groupName), cliUsage());
  const implicit = group.defaultCommand !== undefined && rest[0] !== undefined && rest[0].startsWith('--') && !isHelp(rest[0]);
  const [commandName, ...args] = implicit ? [group.defaultCommand!, ...rest] : rest;

  if (commandName === undefined) return usageError(io, `a ${group.name} command is required`, groupUsage(group));
  if (isHelp(commandName)) return help(io, groupHelp(group));
  const command = group.commands.find((candidate) => candidate.name === commandName);
  if (!command) return usageError(io, unknown(`${group.name} command`, commandName), groupUsage(group));

  return runCommand(command, args, { ...environment, io, invocation: `${CLI} ${group.name} ${command.name}`, failures: group.failures });
}

export interface CommandInvocation extends CliEnvironment {
  /** How the command is called, for its usage line: `npm run cli -- tenants create`. */
  invocation: string;
  failures: readonly FailureClass[];
}

export async function runCommand(command: Command, args: readonly string[], invocation: CommandInvocation): Promise<number> {
  const io = invocation.io ?? PROCESS_IO;
  let config: Config | undefined;
  const context: CommandContext = {
    config: () => (config ??= invocation.loadConfig()),
    print: (document) => io.stdout(`${JSON.stringify(document)}\n`),
    warn: (message) => io.stderr(`${message}\n`),
  };
  try {
    const parsed = parseCommandArgs(command, [...args]);
    if (parsed.help) return help(io, commandHelp(command, invocation.invocation));
    await command.run(parsed, context);
    return EXIT.done;
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message, commandUsage(command, invocation.invocation));
    const line = failureLine(error, invocation.failures);
    if (line === undefined) throw error;
    io.stderr(`${line}\n`);
    return EXIT.failed;
  }
}

/** A usage error: its one line, then the usage line of the level it happened at. */
export function usageError(io: CliIo, message: string, usage: string): number {
  io.stderr(`${message}\n${usage}\n`);
  return EXIT.usage;
}

function help(io: CliIo, text: string): number {
  io.stdout(`${text}\n`);
  return EXIT.done;
}

const isHelp = (arg: string) => asksForHelp([arg]);

function unknown(what: string, name: string): string {
  return name.startsWith('-') ? `unknown option ${name} (the ${what} comes first)` : `unknown ${what} ${JSON.stringify(name)}`;
}

/** The one line of a failure the operator can act on; undefined for a bug, which keeps its stack trace. */
function failureLine(error: unknown, failures: readonly FailureClass[]): string | undefined {
  if (error instanceof CommandFailure || failures.some((failure) => error instanceof failure)) return (error as Error).message;
  return startupFailureLine(error);
}
