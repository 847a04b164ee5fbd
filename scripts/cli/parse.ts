import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Command, type CommandInput, type OptionSpecs, type OptionValues } from './command.ts';

/**
 * A command's arguments checked against its declaration: every option known and given at most once, the
 * positional arguments exactly those it names. `--help` (or `-h`) anywhere before `--` asks for the help,
 * whatever else is wrong.
 */
export type ParsedCommand = { help: true } | ({ help: false } & CommandInput<OptionSpecs>);

export function parseCommandArgs(command: Command, args: string[]): ParsedCommand {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, ...(spec.default === undefined ? {} : { default: spec.default }) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    if (asksForHelp(args)) return { help: true };
    throw new UsageError(parseArgsMessage(error as Error & { code?: string }));
  }
  if (parsed.values.help) return { help: true };

  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    // A repeated option is refused rather than one copy silently winning.
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  const missing = command.arguments[parsed.positionals.length];
  if (missing !== undefined) throw new UsageError(`${missing} is required`);
  const extra = parsed.positionals[command.arguments.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);

  const { help: _help, ...values } = parsed.values;
  // parseArgs checked each value against the option's type (none is `multiple`).
  return { help: false, args: parsed.positionals, options: values as OptionValues<OptionSpecs> };
}

export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** parseArgs's messages, in the CLI's own words where they are known. */
function parseArgsMessage(error: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
    const option = quoted.split(' ')[0]!;
    if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
    if (/argument missing/.test(error.message)) return `${option} needs a value`;
    // Followed by another option ("ambiguous"): a value may start with "-" only after "=".
    return `${option} needs a value (a value starting with "-" is written ${option}=-…)`;
  }
  return error.message;
}
