import { describe, expect, it } from 'vitest';
import { formatInstant, isTimeZone, localTimeToInstant, parseLocalTime } from '../../shared/local-time.ts';

describe('parseLocalTime', () => {
  it.each([
    ['2021-05-29 10:23:43', { year: 2021, month: 5, day: 29, hour: 10, minute: 23, second: 43 }],
    ['2024-02-29 23:59:59', { year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59 }],
    ['2000-02-29 00:00:00', { year: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0 }],
    ['0004-02-29 00:00:00', { year: 4, month: 2, day: 29, hour: 0, minute: 0, second: 0 }],
  ])('reads %s', (text, parts) => {
    expect(parseLocalTime(text)).toEqual(parts);
  });

  it.each([
    '2021-02-30 10:00:00',
    '2023-02-29 00:00:00',
    '1900-02-29 00:00:00',
    '0000-01-01 00:00:00',
    '2021-13-01 00:00:00',
    '2021-00-10 00:00:00',
    '2021-05-29 24:00:00',
    '2021-05-29 10:60:00',
    '2021-05-29 10:00:60',
    '2021-05-29T10:23:43',
    '2021-05-29 10:23:43+09:00',
    '2021-5-29 10:23:43',
    '2021-05-29 1a:23:43',
    '2021-05-29 10:23:4-',
    '２０２１-05-29 10:23:43',
    '2021/05/29 10:23:43',
    ' 2021-05-29 10:23:4',
    '',
  ])('refuses %j', (text) => {
    expect(parseLocalTime(text)).toBeUndefined();
  });
});

describe('localTimeToInstant and formatInstant', () => {
  it.each([
    // local time, zone, its instant, that instant written back in the zone
    ['2021-05-29 10:23:43', 'Asia/Tokyo', '2021-05-29T01:23:43.000Z', '2021-05-29T10:23:43+09:00'],
    ['2021-05-29 10:23:43', 'UTC', '2021-05-29T10:23:43.000Z', '2021-05-29T10:23:43+00:00'],
    ['2021-07-07 06:30:00', 'UTC', '2021-07-07T06:30:00.000Z', '2021-07-07T06:30:00+00:00'],
    ['2021-07-01 00:00:00', 'Asia/Kolkata', '2021-06-30T18:30:00.000Z', '2021-07-01T00:00:00+05:30'],
    ['2021-07-07 12:00:00', 'Asia/Kolkata', '2021-07-07T06:30:00.000Z', '2021-07-07T12:00:00+05:30'],
    // Same choices as Postgres' `timestamp at time zone`: a skipped time takes the offset before the gap
    // (so it is written back as the hour after), a repeated time is the later instant.
    ['2021-03-14 02:30:00', 'America/New_York', '2021-03-14T07:30:00.000Z', '2021-03-14T03:30:00-04:00'],
    ['2021-11-07 01:30:00', 'America/New_York', '2021-11-07T06:30:00.000Z', '2021-11-07T01:30:00-05:00'],
  ])('%s in %s is %s, written back as %s', (text, zone, iso, written) => {
    expect(localTimeToInstant(text, zone).toISOString()).toBe(iso);
    expect(formatInstant(new Date(iso), zone)).toBe(written);
  });

  it('knows IANA zones and nothing else', () => {
    expect(isTimeZone('Asia/Tokyo')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
