import { formatIssuePath, type CallbackIssue } from '../../../shared/callback/schema.ts';

/**
 * JSON numbers that JSON.parse cannot read as written. JSON.parse turns 1e400 into Infinity (which
 * JSON.stringify then writes as null) and rounds 0.12345678901234567890123 to a double, and nothing after
 * it can tell: the text is the only witness. The rule, on values, not spellings: a number is kept when the
 * shortest decimal that reads back as the same double (what JSON.stringify writes) has the value written.
 * 1.50, 1e2, -0, 5e-324 and 0.30000000000000004 are kept; 1e-400 (read as 0) and a 23-digit decimal are not.
 * Integers beyond 2^53 - 1 keep their own message (UNSAFE_INTEGER_MESSAGE), found on the parsed tree.
 */
export const NON_FINITE_NUMBER_MESSAGE =
  'is beyond the range of a JSON number that can be read (±1.7976931348623157e308) and would be stored as null, so it is refused';
export const INEXACT_NUMBER_MESSAGE =
  'changes when read from JSON: a number must equal the shortest decimal of the double it reads as ' +
  '(as JSON.stringify writes it back, at most 17 significant digits), so it is refused rather than stored changed';

export type NumberReading = 'exact' | 'unsafe-integer' | 'non-finite' | 'inexact';

/** How a JSON number token (e.g. `-1.50e+2`) reads: exactly, or how it changes. */
export function readNumberToken(token: string): NumberReading {
  // Number() reads a JSON number token exactly as JSON.parse does (correctly rounded).
  const value = Number(token);
  if (!Number.isFinite(value)) return 'non-finite';
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return 'unsafe-integer';
  return sameDecimalValue(token, String(value)) ? 'exact' : 'inexact';
}

interface Decimal {
  negative: boolean;
  /** No leading or trailing zeros; empty for zero. */
  digits: string;
  exponent: number;
}

function decimalOf(token: string): Decimal {
  const negative = token.charCodeAt(0) === 0x2d;
  const e = token.search(/[eE]/);
  const mantissa = token.slice(negative ? 1 : 0, e < 0 ? undefined : e);
  let exponent = e < 0 ? 0 : Number(token.slice(e + 1));
  const dot = mantissa.indexOf('.');
  let digits = mantissa;
  if (dot >= 0) {
    digits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    exponent -= mantissa.length - dot - 1;
  }
  digits = digits.replace(/^0+/, '');
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  // Zero has one value whatever its sign or spelling (-0, 0.000, 0e5).
  return digits === '' ? { negative: false, digits, exponent: 0 } : { negative, digits, exponent };
}

function sameDecimalValue(a: string, b: string): boolean {
  const x = decimalOf(a);
  const y = decimalOf(b);
  return x.negative === y.negative && x.digits === y.digits && x.exponent === y.exponent;
}

/**
 * True when a token of this form always reads exactly, without reading it: at most 15 digits with an
 * exponent of at most 2 digits (any 15-digit decimal between 1e-114 and 1e114 is the shortest form of its
 * double), or a plain integer of at most 300 digits (exact below 2^53; above it an unsafe integer, which the
 * tree walk reports). Everything else is read by readNumberToken.
 */
export function plainlyExact(digits: number, exponentDigits: number, plainInteger: boolean): boolean {
  return (digits <= 15 && exponentDigits <= 2) || (plainInteger && digits <= 300);
}

const isDigit = (char: number) => char >= 0x30 && char <= 0x39;

/**
 * The end of the number token starting at start (a `-` or a digit), negated when plainlyExact cannot vouch
 * for it and it has to be read: a number rather than an object, since the hot scan calls this for every
 * number of every callback. Tolerant of text that is not JSON (it is scanned before JSON.parse decides that).
 */
export function scanNumberToken(text: string, start: number): number {
  let index = start;
  if (text.charCodeAt(index) === 0x2d) index++;
  let digits = 0;
  let exponentDigits = 0;
  let plainInteger = true;
  while (isDigit(text.charCodeAt(index))) {
    index++;
    digits++;
  }
  if (text.charCodeAt(index) === 0x2e) {
    plainInteger = false;
    index++;
    while (isDigit(text.charCodeAt(index))) {
      index++;
      digits++;
    }
  }
  const e = text.charCodeAt(index);
  if (e === 0x65 || e === 0x45) {
    plainInteger = false;
    index++;
    const sign = text.charCodeAt(index);
    if (sign === 0x2b || sign === 0x2d) index++;
    while (isDigit(text.charCodeAt(index))) {
      index++;
      exponentDigits++;
    }
  }
  // index > start: the first character is always consumed.
  return plainlyExact(digits, exponentDigits, plainInteger) ? index : -index;
}

const MESSAGES: Partial<Record<NumberReading, string>> = {
  'non-finite': NON_FINITE_NUMBER_MESSAGE,
  inexact: INEXACT_NUMBER_MESSAGE,
};

/**
 * The slow path, for a body already parsed as JSON that holds a number that does not read exactly: walks
 * the text keeping the path (keys and indexes) and names each such number. Rare, so plain code.
 */
export function inexactNumberIssues(text: string, limit = Infinity): CallbackIssue[] {
  const issues: CallbackIssue[] = [];
  const path: Array<string | number> = [];
  const inObject: boolean[] = [];
  let expectKey = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x22) {
      const start = index;
      for (index++; text.charCodeAt(index) !== 0x22; index++) if (text.charCodeAt(index) === 0x5c) index++;
      if (expectKey) {
        path[path.length - 1] = JSON.parse(text.slice(start, index + 1)) as string;
        expectKey = false;
      }
    } else if (char === 0x7b || char === 0x5b) {
      inObject.push(char === 0x7b);
      path.push(char === 0x7b ? '' : 0);
      expectKey = char === 0x7b;
    } else if (char === 0x7d || char === 0x5d) {
      inObject.pop();
      path.pop();
      // An empty object closes while still waiting for its first key: the next string is a value.
      expectKey = false;
    } else if (char === 0x2c) {
      if (inObject[inObject.length - 1]) expectKey = true;
      else path[path.length - 1] = (path[path.length - 1] as number) + 1;
    } else if (char === 0x2d || isDigit(char)) {
      const end = Math.abs(scanNumberToken(text, index));
      const message = MESSAGES[readNumberToken(text.slice(index, end))];
      if (message && issues.push({ path: formatIssuePath(path), message }) >= limit) return issues;
      index = end - 1;
    }
  }
  return issues;
}
