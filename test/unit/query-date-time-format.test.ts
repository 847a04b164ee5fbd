import { describe, expect, it } from 'vitest';
import { formatInstant } from '../../shared/local-time.ts';
import { formatDateTime } from '../../services/query/date-time-format.ts';

/** The fast formatter must agree with shared formatInstant everywhere, transitions included. */
const ZONES = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'UTC'];

describe('formatDateTime', () => {
  it('formats like formatInstant, with the offset of the instant', () => {
    expect(formatDateTime(new Date('2021-05-29T01:23:43.999Z'), 'Asia/Tokyo')).toBe('2021-05-29T10:23:43+09:00');
    expect(formatDateTime(new Date('2021-01-15T12:00:00Z'), 'America/New_York')).toBe('2021-01-15T07:00:00-05:00');
    expect(formatDateTime(new Date('2021-06-15T12:00:00Z'), 'Asia/Kathmandu')).toBe('2021-06-15T17:45:00+05:45');
  });

  it.each(ZONES)('agrees with formatInstant through 2021 and around every transition in %s', (zone) => {
    const STEP = 6 * 3_600_000;
    const start = Date.UTC(2021, 0, 1);
    const disagreements: string[] = [];
    const compare = (instant: number) => {
      const fast = formatDateTime(new Date(instant), zone);
      const exact = formatInstant(new Date(instant), zone);
      if (fast !== exact) disagreements.push(`${new Date(instant).toISOString()}: ${fast} ≠ ${exact}`);
    };
    for (let at = start; at < Date.UTC(2022, 0, 1); at += STEP) {
      compare(at);
      // A window whose offset changes holds a transition: there, each minute and the second before it.
      if (formatInstant(new Date(at), zone).slice(-6) !== formatInstant(new Date(at + STEP), zone).slice(-6)) {
        for (let minute = at; minute < at + STEP; minute += 60_000) {
          compare(minute - 1000);
          compare(minute);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });
});
