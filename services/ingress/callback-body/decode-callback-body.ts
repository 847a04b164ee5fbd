import { UNSAFE_INTEGER_MESSAGE } from '../../../shared/callback/fields.ts';
import { inexactNumberIssues, readNumberToken, scanNumberToken } from './json-numbers.ts';
import { formatIssuePath, parseCallback, type Callback, type CallbackIssue } from '../../../shared/callback/schema.ts';
import { boundIssueFloods, FLOOD_CHECK_FROM_BYTES } from './issue-flood.ts';
import { MAX_LISTED_ISSUES } from './issue-list.ts';
import { callbackSchema, type CallbackParse } from '../../../shared/callback/schema.ts';

/**
 * From the request body as received to a validated callback, in the order that keeps each step cheap:
 * the text is scanned once before JSON.parse, for the nesting depth (a megabyte of `[` must not cost a
 * parse) and for numbers JSON.parse would change (1e400, 23 significant digits: only the text shows them),
 * then the parsed tree is walked once for what the schema cannot see in unknown fields (integers that
 * JSON.parse already rounded, `__proto__` keys that would vanish on copy), then the schema itself.
 */
export const MAX_JSON_DEPTH = 64;

export type CallbackDecoding =
  | { kind: 'accepted'; callback: Callback }
  /** Not a JSON document at all (400): there is nothing to validate. */
  | { kind: 'malformed'; code: 'EMPTY_BODY' | 'INVALID_JSON'; message: string }
  /** JSON, but not a callback we can take (422). */
  | { kind: 'rejected'; issues: CallbackIssue[] };

export function decodeCallback(raw: string): CallbackDecoding {
  if (raw.trim() === '') {
    return { kind: 'malformed', code: 'EMPTY_BODY', message: 'the body is empty; send one callback as a JSON object' };
  }
  const scanned = scanText(raw, MAX_JSON_DEPTH);
  if (scanned.depth > MAX_JSON_DEPTH) {
    return {
      kind: 'rejected',
      issues: [{ path: '(root)', message: `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels` }],
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    return { kind: 'malformed', code: 'INVALID_JSON', message: `the body is not valid JSON: ${(error as Error).message}` };
  }
  // Each search stops one past what an answer lists, so a megabyte of bad values costs no more than a few.
  const treeIssues = treeHasIssue(body) ? inspectTree(body, MAX_LISTED_ISSUES + 1) : [];
  // Not push(...list): a long list as arguments can go beyond the call stack.
  if (scanned.numbersChange) for (const issue of inexactNumberIssues(raw, MAX_LISTED_ISSUES + 1)) treeIssues.push(issue);
  treeIssues.sort(byPath);
  const parsed = checkSchema(raw, body);
  if (parsed.ok && treeIssues.length === 0) return { kind: 'accepted', callback: parsed.callback };
  const seen = new Set(treeIssues.map((issue) => issue.path));
  const schemaIssues = parsed.ok ? [] : parsed.issues.filter((issue) => !seen.has(issue.path));
  return { kind: 'rejected', issues: [...treeIssues, ...schemaIssues] };
}

/** Deepest nesting of `{`/`[` outside strings, counting no further than limit + 1. */
export function nestingDepth(text: string, limit: number): number {
  return scanText(text, limit).depth;
}

/**
 * One pass over the text outside strings: the deepest nesting (no further than limit + 1) and whether a
 * number token would change in JSON.parse. Most tokens are short and pass plainlyExact unread; the rest
 * are read one by one, and only a changed one sends decodeCallback down the path-building slow path.
 */
export function scanText(text: string, limit: number): { depth: number; numbersChange: boolean } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  let numbersChange = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c)
        index++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > deepest && (deepest = depth) > limit) return { depth: deepest, numbersChange };
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    } else if (char <= 0x39 && (char >= 0x30 || char === 0x2d)) {
      let end = scanNumberToken(text, index);
      if (end < 0) {
        end = -end;
        if (!numbersChange) {
          const reading = readNumberToken(text.slice(index, end));
          numbersChange = reading === 'non-finite' || reading === 'inexact';
        }
      }
      index = end - 1;
    }
  }
  return { depth: deepest, numbersChange };
}

/**
 * Text Postgres cannot hold (text and jsonb refuse U+0000 and unpaired UTF-16 surrogates): accepted, such a
 * callback would get its 200 and then never reach the tables, so it is refused here instead.
 */
const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_TEXT_MESSAGE = 'contains U+0000 or an unpaired UTF-16 surrogate (\\ud800-\\udfff), which cannot be stored';

/** Issues anywhere in the tree, known fields or not; the depth is already bounded, so the stack stays small. */
interface Node {
  value: unknown;
  key?: PropertyKey;
  parent?: Node;
}

function pathOf(node: Node | undefined): string {
  const path: PropertyKey[] = [];
  for (let at = node; at?.key !== undefined; at = at.parent) path.unshift(at.key);
  return formatIssuePath(path);
}

/** The same checks as inspectTree, without building paths: every callback goes through it, few fail it. */
function treeHasIssue(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (UNSTORABLE_TEXT.test(value)) return true;
    } else if (typeof value === 'number') {
      if (Number.isInteger(value) && !Number.isSafeInteger(value)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) {
        if (key === '__proto__' || UNSTORABLE_TEXT.test(key)) return true;
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/** Issues in document order, no more than limit of them. */
function inspectTree(root: unknown, limit: number): CallbackIssue[] {
  const issues: CallbackIssue[] = [];
  const stack: Node[] = [{ value: root }];
  while (stack.length > 0 && issues.length < limit) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      issues.push({ path: pathOf(node), message: UNSAFE_INTEGER_MESSAGE });
    } else if (typeof value === 'string' && UNSTORABLE_TEXT.test(value)) {
      issues.push({ path: pathOf(node), message: UNSTORABLE_TEXT_MESSAGE });
    } else if (Array.isArray(value)) {
      // Pushed last to first, so that they are popped in document order.
      for (let index = value.length - 1; index >= 0; index--) stack.push({ value: value[index], key: index, parent: node });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value).reverse()) {
        if (UNSTORABLE_TEXT.test(key)) {
          issues.push({ path: pathOf({ value: item, key, parent: node }), message: `its name ${UNSTORABLE_TEXT_MESSAGE}` });
        } else if (key === '__proto__') {
          issues.push({ path: pathOf({ value: item, key, parent: node }), message: 'is a reserved name and cannot be accepted' });
        } else {
          stack.push({ value: item, key, parent: node });
        }
      }
    }
  }
  return issues;
}

/**
 * Paths in reading order: `labelInfos[2]` before `labelInfos[10]` (indices compared as numbers), names
 * compared as text.
 */
const PATH_PART = /\[(\d+)\]|\.?([^.[]+)/g;
function pathParts(path: string): Array<string | number> {
  return Array.from(path.matchAll(PATH_PART), (match) => (match[1] !== undefined ? Number(match[1]) : match[2]!));
}

export function byPath(a: CallbackIssue, b: CallbackIssue): number {
  const left = pathParts(a.path);
  const right = pathParts(b.path);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index]!;
    const y = right[index]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return left.length - right.length;
}

/** The schema's check; a large body has its floods of wrong array elements cut first (issue-flood.ts). */
function checkSchema(raw: string, body: unknown): CallbackParse {
  return parseCallback(raw.length < FLOOD_CHECK_FROM_BYTES ? body : boundIssueFloods(callbackSchema, body).body);
}
