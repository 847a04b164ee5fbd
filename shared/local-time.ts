/**
 * Callback times are wall-clock strings (`yyyy-MM-dd HH:mm:ss`) in the tenant's timezone, with no offset.
 * These helpers check them, turn them into instants and format instants back with the tenant's offset.
 */
export interface LocalTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Parses `yyyy-MM-dd HH:mm:ss`, returning undefined unless it names a real calendar time (year 1 or later).
 * Read character by character: it runs for every time in every callback, on the ingress and the consumer.
 */
export function parseLocalTime(text: string): LocalTimeParts | undefined {
  if (text.length !== 19) return undefined;
  if (text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH || text.charCodeAt(10) !== SPACE) return undefined;
  if (text.charCodeAt(13) !== COLON || text.charCodeAt(16) !== COLON) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  // digits() is -1 for a non-digit, which every lower bound below refuses.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return { year, month, day, hour, minute, second };
}

const DASH = 0x2d;
const SPACE = 0x20;
const COLON = 0x3a;

/** The decimal number in text[start, start + count), or -1 unless every character is an ASCII digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const digit = text.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Date.UTC, except that years 0–99 are themselves (Date.UTC(50, …) is 1950). */
function asUtcMillis(parts: LocalTimeParts): number {
  if (parts.year >= 100) return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const date = new Date(0);
  date.setUTCFullYear(parts.year, parts.month - 1, parts.day);
  return date.setUTCHours(parts.hour, parts.minute, parts.second, 0);
}

/** The zone's offset at a whole second, asked of Intl: exact, and microseconds per call. */
function offsetMillisFromIntl(second: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(second))) parts[part.type] = part.value;
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = asUtcMillis({
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  });
  return wall - second;
}

/**
 * Offsets are remembered per zone and UTC hour, because every callback holds dozens of times and every
 * answer of the query service formats dozens more: Intl is asked twice per zone and hour instead of
 * several times per timestamp. An hour whose first and last seconds have different offsets holds a
 * transition; its instants are asked of Intl one by one. (Two transitions within one hour that cancel
 * out would be missed; no zone has them.)
 */
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const MAX_REMEMBERED_HOURS = 50_000;
/** Zone → UTC hour → its offset in ms, or null when the hour holds a transition. */
const hourOffsets = new Map<string, Map<number, number | null>>();
let rememberedHours = 0;

function offsetMillis(second: number, timeZone: string): number {
  const hour = Math.floor(second / HOUR);
  let zone = hourOffsets.get(timeZone);
  if (!zone) hourOffsets.set(timeZone, (zone = new Map()));
  let offset = zone.get(hour);
  if (offset === undefined) {
    const first = offsetMillisFromIntl(hour * HOUR, timeZone);
    offset = first === offsetMillisFromIntl((hour + 1) * HOUR - 1000, timeZone) ? first : null;
    if (rememberedHours >= MAX_REMEMBERED_HOURS) {
      hourOffsets.clear();
      hourOffsets.set(timeZone, (zone = new Map()));
      rememberedHours = 0;
    }
    zone.set(hour, offset);
    rememberedHours += 1;
  }
  return offset ?? offsetMillisFromIntl(second, timeZone);
}

function wholeSecond(instant: number): number {
  return Math.floor(instant / 1000) * 1000;
}

function wallClockOf(instant: number, timeZone: string): LocalTimeParts {
  const second = wholeSecond(instant);
  const wall = new Date(second + offsetMillis(second, timeZone));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

/** The zone's offset from UTC at an instant, in minutes (Asia/Tokyo: 540). */
export function offsetMinutes(instant: number, timeZone: string): number {
  return Math.round(offsetMillis(wholeSecond(instant), timeZone) / 60_000);
}

/**
 * The instant a wall-clock time denotes in a zone. Matches Postgres: a time skipped by a daylight-saving
 * gap is read with the offset before the gap, a time repeated by an overlap as the later instant.
 */
export function localTimeToInstant(text: string, timeZone: string): Date {
  const parts = parseLocalTime(text);
  if (!parts) throw new RangeError(`not a local time: ${JSON.stringify(text)}`);
  const naive = asUtcMillis(parts);
  // The candidates are the offsets a day either side; the instant fits when its wall clock is the text.
  const offsetBefore = offsetMillis(naive - DAY, timeZone);
  const offsetAfter = offsetMillis(naive + DAY, timeZone);
  const fits = [naive - offsetBefore, naive - offsetAfter].filter((instant) => instant + offsetMillis(instant, timeZone) === naive);
  return new Date(fits.length > 0 ? Math.max(...fits) : naive - offsetBefore);
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** ISO 8601 with the zone's offset at that instant, e.g. `2021-05-29T10:23:43+09:00`. */
export function formatInstant(instant: Date, timeZone: string): string {
  const millis = instant.getTime();
  const wall = wallClockOf(millis, timeZone);
  const offset = offsetMinutes(millis, timeZone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** True when the name is an IANA zone this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
