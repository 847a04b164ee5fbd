import { z } from 'zod';
import { UsageError } from './command.ts';
import { decimalOption, shown } from './values.ts';

/**
 * The options that narrow what a quarantine or dlq command reads: `--since` a time, `--limit` a count.
 * A time must say its zone (Z or an offset): the machine's own zone is nobody's intent. A date alone is
 * that day's 00:00 UTC.
 */
const INSTANT = z.iso.datetime({ offset: true });
const WITHOUT_ZONE = z.iso.datetime({ local: true });
const DATE = z.iso.date();

/** How a --since is written, for its help and its error. */
export const SINCE_FORMS = 'a time with its zone (2026-01-02T03:04:05Z, 2026-01-02T12:04:05+09:00) or a date (00:00 UTC)';

export function sinceOption(text: string): Date {
  if (INSTANT.safeParse(text).success) return new Date(text);
  if (DATE.safeParse(text).success) return new Date(`${text}T00:00:00.000Z`);
  if (WITHOUT_ZONE.safeParse(text).success) {
    throw new UsageError(`--since ${shown(text)} has no time zone: end it with Z or an offset such as +09:00`);
  }
  throw new UsageError(`--since ${shown(text)} is not a time: give ${SINCE_FORMS}`);
}

export const MAX_LIMIT = 1_000_000;

export function limitOption(text: string): number {
  return decimalOption('limit', text, 1, MAX_LIMIT);
}

/**
 * The first `limit` items in `order`, kept while items arrive in any order: memory stays within twice
 * the limit however long the topic is.
 */
export function firstInOrder<T>(order: (a: T, b: T) => number, limit = Infinity) {
  let kept: T[] = [];
  const trim = () => {
    kept.sort(order);
    if (kept.length > limit) kept = kept.slice(0, limit);
  };
  return {
    add(item: T) {
      kept.push(item);
      if (kept.length >= 2 * limit) trim();
    },
    items(): T[] {
      trim();
      return kept;
    },
  };
}
