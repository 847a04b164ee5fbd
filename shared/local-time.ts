/**
 * Callback times are wall-clock strings (`yyyy-MM-dd HH:mm:ss`) in the tenant's timezone, with no offset.
 * These helpers check them, turn them into instants and format instants back with the tenant's offset.
 */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

export interface LocalTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Parses `yyyy-MM-dd HH:mm:ss`, returning undefined unless it names a real calendar time. */
export function parseLocalTime(text: string): LocalTimeParts | undefined {
  const match = LOCAL_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  return { year, month, day, hour, minute, second };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
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

function wallClockOf(instant: number, timeZone: string): LocalTimeParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function asUtcMillis(parts: LocalTimeParts): number {
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The zone's offset from UTC at an instant, in minutes (Asia/Tokyo: 540). */
export function offsetMinutes(instant: number, timeZone: string): number {
  return Math.round((asUtcMillis(wallClockOf(instant, timeZone)) - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time denotes in a zone. Matches Postgres: a time skipped by a daylight-saving
 * gap is read with the offset before the gap, a time repeated by an overlap as the later instant.
 */
export function localTimeToInstant(text: string, timeZone: string): Date {
  const parts = parseLocalTime(text);
  if (!parts) throw new RangeError(`not a local time: ${JSON.stringify(text)}`);
  const naive = asUtcMillis(parts);
  const offsetBefore = offsetMinutes(naive - DAY, timeZone);
  const offsetAfter = offsetMinutes(naive + DAY, timeZone);
  const fits = [offsetBefore, offsetAfter]
    .map((offset) => naive - offset * 60_000)
    .filter((instant) => asUtcMillis(wallClockOf(instant, timeZone)) === naive);
  return new Date(fits.length > 0 ? Math.max(...fits) : naive - offsetBefore * 60_000);
}

const DAY = 24 * 60 * 60 * 1000;

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
