import { z } from 'zod';
import { MAX_LISTED_ISSUES } from './issue-list.ts';

/**
 * A body of a megabyte can hold half a million wrong array elements (`"labelInfos":[1,1,1,…]`), and zod
 * creates an issue for each: about a second of event loop per request, for a list nobody reads past its
 * start (the answer lists the first MAX_LISTED_ISSUES). So before the schema sees a large body, its arrays
 * are checked element by element, the schema's own element schema on each, and an array is cut right
 * after the element at which more issues than that were found; once that happens, every array after it
 * is emptied.
 *
 * Cutting keeps the answer exact where it is read: the schema checks fields and elements in a fixed order,
 * and every issue found before a cut is one the full check would report before anything at or after the
 * cut, so the first issues of the cut body are the first issues of the whole one. Cutting never adds an
 * issue (no array in the callback has a minimum length), and a body that is cut has more issues than are
 * listed, so it is refused either way: an accepted callback is never the cut one.
 */

/** Below this size a body cannot hold enough issues to matter (about 2 bytes per issue, 2 µs each). */
export const FLOOD_CHECK_FROM_BYTES = 16 * 1024;

export interface BoundedBody {
  body: unknown;
  /** True when arrays were cut: the schema will report fewer issues than the body has. */
  cut: boolean;
}

type Schema = z.core.$ZodType;

interface Budget {
  found: number;
  limit: number;
  exhausted: boolean;
}

export function boundIssueFloods(schema: Schema, body: unknown, limit = MAX_LISTED_ISSUES): BoundedBody {
  const budget: Budget = { found: 0, limit, exhausted: false };
  const bounded = walk(schema, body, budget);
  return { body: bounded, cut: bounded !== body };
}

function walk(schema: Schema, value: unknown, budget: Budget): unknown {
  const def = unwrap(schema)._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  if (!holdsArray(schema)) return value;
  if (def.type === 'array' && Array.isArray(value)) return walkArray(def.element as Schema, value, budget);
  if (def.type === 'object' && isPlainObject(value)) return walkObject(def.shape as Record<string, Schema>, value, budget);
  if (def.type === 'union') return walkUnion(schema, def.options as Schema[], value, budget);
  return value;
}

function walkArray(element: Schema, items: unknown[], budget: Budget): unknown[] {
  if (!holdsArray(element)) return walkFlatArray(element, items, budget);
  let copy: unknown[] | undefined;
  for (let index = 0; index < items.length; index++) {
    if (budget.exhausted) return (copy ?? items).slice(0, index);
    const before = budget.found;
    const item = walk(element, items[index], budget);
    if (item !== items[index]) (copy ??= items.slice())[index] = item;
    // The element's issues once its own arrays are cut: all of them are issues of the whole body too.
    budget.found = before + issueCount(element, item);
    if (budget.found > budget.limit) {
      budget.exhausted = true;
      return (copy ?? items).slice(0, index + 1);
    }
  }
  return copy ?? items;
}

/**
 * Elements without arrays of their own are checked a chunk at a time (one schema call per chunk costs about
 * what the full check costs; one per element, twice that), and one by one only in the chunk where the
 * issues found pass the limit, to cut right after the element that passed it.
 */
const CHUNK = 256;

function walkFlatArray(element: Schema, items: unknown[], budget: Budget): unknown[] {
  const chunkSchema = arrayOf(element);
  for (let start = 0; start < items.length; start += CHUNK) {
    if (budget.exhausted) return items.slice(0, start);
    const chunk = items.length <= CHUNK ? items : items.slice(start, start + CHUNK);
    const found = issueCount(chunkSchema, chunk);
    if (budget.found + found <= budget.limit) {
      budget.found += found;
      continue;
    }
    const end = Math.min(start + CHUNK, items.length);
    for (let index = start; index < end; index++) {
      budget.found += issueCount(element, items[index]);
      if (budget.found > budget.limit) {
        budget.exhausted = true;
        return items.slice(0, index + 1);
      }
    }
  }
  return items;
}

const ARRAYS = new WeakMap<Schema, Schema>();

function arrayOf(element: Schema): Schema {
  let array = ARRAYS.get(element);
  if (!array) ARRAYS.set(element, (array = z.array(element as z.ZodType)));
  return array;
}

function walkObject(shape: Record<string, Schema>, value: Record<string, unknown>, budget: Budget): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(shape)) {
    if (!Object.hasOwn(value, key)) continue;
    const field = walk(shape[key]!, value[key], budget);
    if (field !== value[key]) (copy ??= { ...value })[key] = field;
  }
  return copy ?? value;
}

/**
 * A union that fails reports one issue, however many its options found. The array option is cut after
 * its first element with an issue: the union still fails, with the same single issue.
 */
function walkUnion(union: Schema, options: Schema[], value: unknown, budget: Budget): unknown {
  if (budget.exhausted) return Array.isArray(value) ? [] : value;
  const kind = Array.isArray(value) ? 'array' : 'object';
  const option = options.find((candidate) => unwrap(candidate)._zod.def.type === kind);
  if (!option) return value;
  const bounded = walk(option, value, { found: 0, limit: 0, exhausted: false });
  budget.found += issueCount(union, bounded);
  if (budget.found > budget.limit) budget.exhausted = true;
  return bounded;
}

function issueCount(schema: Schema, value: unknown): number {
  const result = (schema as z.ZodType).safeParse(value);
  return result.success ? 0 : result.error.issues.length;
}

function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: Schema };
    if ((def.type === 'optional' || def.type === 'nullable' || def.type === 'default') && def.innerType) current = def.innerType;
    else return current;
  }
}

const HOLDS_ARRAY = new WeakMap<Schema, boolean>();

/** Whether an array can occur anywhere below the schema; objects and unions without one are not walked. */
function holdsArray(schema: Schema): boolean {
  const known = HOLDS_ARRAY.get(schema);
  if (known !== undefined) return known;
  const def = unwrap(schema)._zod.def as { type: string; shape?: Record<string, Schema>; options?: Schema[] };
  const holds =
    def.type === 'array' ||
    (def.type === 'object' && Object.values(def.shape ?? {}).some(holdsArray)) ||
    (def.type === 'union' && (def.options ?? []).some(holdsArray));
  HOLDS_ARRAY.set(schema, holds);
  return holds;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
