import { describe, expect, it } from 'vitest';
import { formatInstant, localTimeToInstant, offsetMinutes } from '../../shared/local-time.ts';

/**
 * shared/local-time remembers offsets per zone and hour. These tests hold it to a reference computed from
 * Intl for every instant, across whole years and minute by minute around every transition.
 */
const ZONES = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'UTC'];

const referenceFormatters = new Map(
  ZONES.map((timeZone) => [
    timeZone,
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }),
  ]),
);

function referenceWallClock(instant: number, timeZone: string): string {
  const formatter = referenceFormatters.get(timeZone)!;
  const parts = Object.fromEntries(formatter.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

function referenceFormat(instant: number, timeZone: string): string {
  const wall = referenceWallClock(instant, timeZone);
  const offset = Math.round((Date.parse(`${wall}Z`) - Math.floor(instant / 1000) * 1000) / 60_000);
  const abs = Math.abs(offset);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${wall}${offset < 0 ? '-' : '+'}${hhmm}`;
}

/** Instants every 6 hours through 2021, and each minute (and the second before it) of a window holding a transition. */
function instantsToCheck(timeZone: string): number[] {
  const STEP = 6 * 3_600_000;
  const instants: number[] = [];
  for (let at = Date.UTC(2021, 0, 1); at < Date.UTC(2022, 0, 1); at += STEP) {
    instants.push(at + 1234);
    if (referenceFormat(at, timeZone).slice(-6) !== referenceFormat(at + STEP, timeZone).slice(-6)) {
      for (let minute = at; minute < at + STEP; minute += 60_000) instants.push(minute - 1000, minute);
    }
  }
  return instants;
}

describe('local time with remembered offsets', () => {
  it.each(ZONES)('formats every instant as Intl does, transitions included, in %s', (zone) => {
    const disagreements = instantsToCheck(zone)
      .map((instant) => ({ instant, ours: formatInstant(new Date(instant), zone), reference: referenceFormat(instant, zone) }))
      .filter(({ ours, reference }) => ours !== reference);
    expect(disagreements).toEqual([]);
  });

  it.each(ZONES)('reads back every wall-clock time it formats in %s, as the same instant or the later one of an overlap', (zone) => {
    const disagreements = instantsToCheck(zone).flatMap((instant) => {
      const second = Math.floor(instant / 1000) * 1000;
      const text = referenceWallClock(second, zone).replace('T', ' ');
      const read = localTimeToInstant(text, zone).getTime();
      // Postgres reads a repeated time as the later instant; only then may the answer differ from `second`.
      const sameWallClock = referenceWallClock(read, zone) === referenceWallClock(second, zone);
      return read === second || (read > second && sameWallClock) ? [] : [{ text, read: new Date(read).toISOString() }];
    });
    expect(disagreements).toEqual([]);
  });

  it('keeps the seconds of a local-mean-time offset, as Postgres does', () => {
    // Tokyo was UTC+09:18:59 before 1888; Postgres: '1800-01-01 00:00:00' at time zone 'Asia/Tokyo'.
    expect(localTimeToInstant('1800-01-01 00:00:00', 'Asia/Tokyo').toISOString()).toBe('1799-12-31T14:41:01.000Z');
    expect(offsetMinutes(Date.UTC(1800, 0, 1), 'Asia/Tokyo')).toBe(559);
  });

  it('reads years below 100 as themselves, not as 19xx', () => {
    expect(localTimeToInstant('0050-03-01 09:00:00', 'UTC').toISOString()).toBe('0050-03-01T09:00:00.000Z');
    expect(formatInstant(new Date('0050-03-01T09:00:00.000Z'), 'UTC')).toBe('0050-03-01T09:00:00+00:00');
  });
});
