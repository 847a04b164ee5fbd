import type { Config } from '../../shared/config.ts';

/**
 * What a command of `npm run cli -- <group> <command>` is made of. A group is one folder under
 * scripts/cli/ with one file per command; scripts/cli/groups.ts lists the groups. The runner (run.ts)
 * parses the arguments against the declaration, prints help, and turns the outcome into the exit code.
 */
export interface OptionSpec {
  /** A boolean option is a flag; a string option takes one value. */
  type: 'string' | 'boolean';
  /** How the value is written in the help, e.g. `N`, `ZONE`, `ingest|access`. */
  value?: string;
  description: string;
  default?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export type OptionValues<Options extends OptionSpecs> = {
  [Name in keyof Options]?: Options[Name]['type'] extends 'boolean' ? boolean : string;
};

export interface CommandInput<Options extends OptionSpecs> {
  /** The positional arguments, one per name in `arguments`. */
  args: string[];
  options: OptionValues<Options>;
}

export interface CommandContext {
  /** The configuration (loadConfigOrExit), loaded when first asked for: after the arguments were checked. */
  config(): Config;
  /** One JSON document, as one line on stdout: what a script reads. */
  print(document: object): void;
  /** One line on stderr for the operator (a record skipped), which a script reading stdout never sees. */
  warn(message: string): void;
}

export interface Command<Options extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line, for the group's list of commands. */
  summary: string;
  /** The positional arguments, all required, e.g. ['TENANT_ID']. */
  arguments: readonly string[];
  options: Options;
  /** What follows the command name in the usage line, e.g. `TENANT_ID --kind ingest|access [--grace-seconds N]`. */
  synopsis: string;
  /** The help's text after the usage line. */
  description: string;
  run(input: CommandInput<Options>, context: CommandContext): Promise<void>;
}

/** Keeps a command's option names and types for its run(); the group holds it as a plain Command. */
export function defineCommand<const Options extends OptionSpecs>(command: Command<Options>): Command {
  return command as unknown as Command;
}

/** An error class whose message is the whole story for an operator: one line on stderr, exit 1. */
export type FailureClass = abstract new (...args: never[]) => Error;

export interface CommandGroup {
  name: string;
  summary: string;
  description: string;
  commands: readonly Command[];
  /**
   * The command that runs when options follow the group name at once (`erase --tenant …` is `erase calls
   * --tenant …`), for a group whose commands are kinds of one act.
   */
  defaultCommand?: string;
  /** The errors of this group's commands that are failures to report, not bugs to show with a stack trace. */
  failures: readonly FailureClass[];
}

/** The command line is wrong: one line on stderr, then the usage line, exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the operator can act on (a tenant that does not exist, a database not migrated): exit 1. */
export class CommandFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandFailure';
  }
}
