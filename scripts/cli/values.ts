import { UsageError } from './command.ts';

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * An option's decimal integer, written as the configuration writes numbers: digits only (no sign, `0x`,
 * exponent or spaces), within [min, max]; anything else is a usage error that names the option.
 */
export function decimalOption(option: string, text: string, min: number, max: number): number {
  const value = DECIMAL.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`--${option} ${shown(text)} is not a whole number from ${min} to ${max}`);
  return value;
}

/** An option that must be one of a few words. */
export function choiceOption<const Choice extends string>(option: string, text: string, choices: readonly Choice[]): Choice {
  if (!(choices as readonly string[]).includes(text))
    throw new UsageError(`--${option} must be ${choices.join(' or ')}, not ${shown(text)}`);
  return text as Choice;
}

/** A value as a message shows it: as typed, or quoted when it holds spaces or control characters (one line stays one line). */
export function shown(text: string): string {
  return /^[\x21-\x7e\u00a0-\uffff]+$/.test(text) ? text : JSON.stringify(text);
}
