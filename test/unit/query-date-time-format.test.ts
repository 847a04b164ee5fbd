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

  it.each(ZONES)('agrees with formatInstant around every transition of 2021 in %s', (zone) => {
    const start = Date.UTC(2021, 0, 1);
    for (let hour = 0; hour < 366 * 24; hour += 1) {
      const at = start + hour * 3_600_000;
      const before = formatInstant(new Date(at), zone);
      const after = formatInstant(new Date(at + 3_600_000), zone);
      // Every hour's start and, in an hour whose offset changes, each minute and the second before it.
      const instants =
        before.slice(-6) === after.slice(-6) ? [at] : Array.from({ length: 60 }, (_, minute) => at + minute * 60_000).flatMap((t) => [t - 1000, t]);
      for (const instant of instants) {
        const formatted = formatDateTime(new Date(instant), zone);
        if (formatted !== formatInstant(new Date(instant), zone)) expect(formatted).toBe(formatInstant(new Date(instant), zone));
      }
    }
  });
});
