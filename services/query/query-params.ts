import { z } from 'zod';

/**
 * Building blocks of the query service's parameter schemas: what every parameter refuses before a
 * query runs, so that a value Postgres would reject is a 400 naming the parameter, never a 500.
 */

/**
 * Postgres text cannot hold U+0000, and a lone surrogate reaches it as U+FFFD (pg encodes to UTF-8), so
 * it would match something else than was asked for. With the u flag a surrogate pair is one code point
 * outside the class: any other character passes. A pattern, not a refine, so the OpenAPI document shows it.
 */
export const STORABLE_TEXT = /^[^\u0000\uD800-\uDFFF]*$/u;
export const NOT_STORABLE_MESSAGE = 'must not contain U+0000 or lone surrogates';

/**
 * The message for a parameter that is missing or not one string: a repeated query parameter arrives as
 * an array. Anything else keeps zod's own message (undefined defers to it).
 */
export function parameterError(issue: { input?: unknown }): string | undefined {
  if (issue.input === undefined) return 'is required';
  if (Array.isArray(issue.input)) return 'must be given once';
  return undefined;
}

/** One string parameter. */
export const parameterText = () => z.string({ error: parameterError });
