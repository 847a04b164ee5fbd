/**
 * JSON as a sender may write it, for the edge fuzzer: a number literal is kept as its text, because the
 * interesting numbers (1e400, 23-digit decimals, 5e-324) are exactly the ones a JS number cannot carry.
 * The oracle compares in Postgres (jsonb, numeric), never through a JS number.
 */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonModel = null | boolean | string | number | JsonNumber | JsonModel[] | { [key: string]: JsonModel };

export function isObject(value: unknown): value is { [key: string]: JsonModel } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof JsonNumber);
}

/** The body text: like JSON.stringify, with every JsonNumber written as its literal. */
export function serialize(value: JsonModel): string {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${serialize(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The exact value of an integer-valued literal as decimal text (`1e3` → `1000`, `-0` → `0`, `1.0` → `1`),
 * or undefined when it is not an integer (or its exponent is absurd): what a bigint column must hold.
 */
export function exactInteger(value: number | JsonNumber): string | undefined {
  const text = value instanceof JsonNumber ? value.text : JSON.stringify(value);
  const match = NUMBER.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fraction.length;
  if (Math.abs(exponent) > 1_000) return undefined;
  let digits = BigInt(whole! + fraction);
  if (exponent >= 0) digits *= 10n ** BigInt(exponent);
  else if (digits % 10n ** BigInt(-exponent) === 0n) digits /= 10n ** BigInt(-exponent);
  else return undefined;
  return String(sign === '-' ? -digits : digits);
}

/** Every value reached by a path, for checking that a 422's `path` names something that was sent. */
export function pathNamesField(root: unknown, path: string): boolean {
  if (path === '(root)') return true;
  return resolves(root, path, true);
}

/**
 * Plain keys are matched against the keys that exist rather than split (a key may hold characters such
 * as `-` or `:`); the ones that hold `.`, `[`, `]`, `"` or are empty come quoted. The last segment may name a field that is absent (a required field that is missing) as long as
 * what holds it was sent.
 */
function resolves(value: unknown, rest: string, first: boolean): boolean {
  if (rest === '') return true;
  const index = /^\[(\d+)\]/.exec(rest);
  if (index && Array.isArray(value)) {
    const position = Number(index[1]);
    return position < value.length && resolves(value[position], rest.slice(index[0].length), false);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  // A name dotted form cannot tell apart comes quoted as JSON: ["a.b"], [""].
  const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
  if (quoted) {
    const key = JSON.parse(quoted[1]!) as string;
    const after = rest.slice(quoted[0].length);
    return Object.hasOwn(value, key) ? resolves((value as Record<string, unknown>)[key], after, false) : after === '';
  }
  if (!first) {
    if (!rest.startsWith('.')) return false;
    rest = rest.slice(1);
  }
  for (const key of Object.keys(value)) {
    if (!rest.startsWith(key)) continue;
    const after = rest.slice(key.length);
    if (
      (after === '' || after.startsWith('.') || after.startsWith('[')) &&
      resolves((value as Record<string, unknown>)[key], after, false)
    ) {
      return true;
    }
  }
  // A missing field: nothing after it, and no key of that name.
  return !/[.[]/.test(rest) && !Object.hasOwn(value, rest);
}
