import { describe, expect, it } from 'vitest';
import { dayRange, decodeCursor, encodeCursor, expandOf, listCallsQuerySchema } from '../../services/query/list-params.ts';
import { nextPageUrl } from '../../services/query/routes-list.ts';

describe('list parameters', () => {
  it('a cursor round-trips, and anything else is not a cursor', () => {
    const position = { time: '2021-05-29T01:23:43.123456Z', callId: 'eff790c4-90a5-4453-990c-ff7d4aa30914' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(decodeCursor('')).toBeUndefined();
    expect(decodeCursor('not a cursor!')).toBeUndefined();
    expect(decodeCursor(Buffer.from('{"t":"yesterday","c":"x"}').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('[1,2]').toString('base64url'))).toBeUndefined();
    expect(decodeCursor(Buffer.from('{').toString('base64url'))).toBeUndefined();
  });

  it("days are the tenant's days: [start 00:00, end + 1 day 00:00) in its timezone", () => {
    expect(dayRange('2021-06-01', '2021-06-02', 'Asia/Tokyo')).toEqual({
      from: new Date('2021-05-31T15:00:00Z'),
      to: new Date('2021-06-02T15:00:00Z'),
    });
    // New York changes to daylight time on 2021-03-14: the range is 47 hours long.
    expect(dayRange('2021-03-13', '2021-03-14', 'America/New_York')).toEqual({
      from: new Date('2021-03-13T05:00:00Z'),
      to: new Date('2021-03-15T04:00:00Z'),
    });
    expect(dayRange('2020-12-31', '2020-12-31', 'UTC')).toEqual({
      from: new Date('2020-12-31T00:00:00Z'),
      to: new Date('2021-01-01T00:00:00Z'),
    });
  });

  it('parses a full query: defaults expand to none, numbers limit and campaignId, decodes the cursor', () => {
    const cursor = encodeCursor({ time: '2021-05-29T01:23:43.000000Z', callId: 'a' });
    expect(
      listCallsQuerySchema.parse({
        start: '2021-06-01',
        end: '2021-06-01',
        limit: '50',
        cursor,
        campaignId: '1762',
        connectResult: 'BUSY',
      }),
    ).toEqual({
      start: '2021-06-01',
      end: '2021-06-01',
      expand: 'none',
      limit: 50,
      cursor: { time: '2021-05-29T01:23:43.000000Z', callId: 'a' },
      campaignId: 1762,
      connectResult: 'BUSY',
    });
  });

  it.each([
    [{ end: '2021-06-01' }, ['start']],
    [{ start: '2021-02-30', end: '2021-03-01' }, ['start']],
    [{ start: '2021-06-01', end: '2021-6-2' }, ['end']],
    [{ start: '2021-06-02', end: '2021-06-01' }, ['end']],
    [{ start: '2021-06-01', end: '2021-06-01', expand: 'everything' }, ['expand']],
    [{ start: '2021-06-01', end: '2021-06-01', limit: '0' }, ['limit']],
    [{ start: '2021-06-01', end: '2021-06-01', limit: '1001' }, ['limit']],
    [{ start: '2021-06-01', end: '2021-06-01', limit: '1e2' }, ['limit']],
    [{ start: '2021-06-01', end: '2021-06-01', cursor: 'xyz' }, ['cursor']],
    [{ start: '2021-06-01', end: '2021-06-01', connectResult: 'MAYBE' }, ['connectResult']],
    [{ start: '2021-06-01', end: '2021-06-01', campaignId: '-3' }, ['campaignId']],
    [{ start: '0001-01-01', end: '2021-06-01' }, ['start']],
  ])('rejects %j at %j', (query, path) => {
    const result = listCallsQuerySchema.safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(path);
  });

  it('expand names what is returned in full', () => {
    expect(expandOf('none')).toEqual({ customer: false, operator: false });
    expect(expandOf('customer')).toEqual({ customer: true, operator: false });
    expect(expandOf('operator')).toEqual({ customer: false, operator: true });
    expect(expandOf('all')).toEqual({ customer: true, operator: true });
  });

  const base64 = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
  const forged = (t: string, c: string) => base64(JSON.stringify({ t, c }));

  it('a cursor decodes only to a position Postgres can compare with: microseconds, year 1 to 9999, a storable call id', () => {
    expect(decodeCursor(forged('0001-01-01T00:00:00.000000Z', 'a'))).toEqual({ time: '0001-01-01T00:00:00.000000Z', callId: 'a' });
    expect(decodeCursor(forged('9999-12-31T23:59:59.999999Z', 'a'.repeat(128)))).toEqual({
      time: '9999-12-31T23:59:59.999999Z',
      callId: 'a'.repeat(128),
    });
    expect(decodeCursor(forged('2021-05-29T01:23:43.000000Z', '\u{1F600}'))).toEqual({
      time: '2021-05-29T01:23:43.000000Z',
      callId: '\u{1F600}',
    });
    for (const [t, c] of [
      ['0000-01-01T00:00:00.000000Z', 'a'], // Postgres has no year 0
      ['2021-05-29T01:23:43.000000Z', 'a\u0000b'], // nor U+0000 in text
      ['2021-05-29T01:23:43.000000Z', '\ud800'], // pg would send U+FFFD instead
      ['2021-05-29T01:23:43.000000Z', '\udc00x'],
      ['2021-05-29T01:23:43.000000Z', ''],
      ['2021-05-29T01:23:43.000000Z', 'a'.repeat(129)],
      ['2021-05-29T01:23:43.1234567Z', 'a'], // Postgres would round it
      ['2021-05-29T01:23:43Z', 'a'],
      ['2021-05-29T10:23:43.000000+09:00', 'a'],
      ['2021-02-29T00:00:00.000000Z', 'a'],
    ]) {
      expect(decodeCursor(forged(t!, c!)), JSON.stringify([t, c])).toBeUndefined();
    }
    for (const json of ['null', '"x"', '42', '{"t":1,"c":"a"}', '{"c":"a"}', '{"t":"2021-05-29T01:23:43.000000Z","c":7}']) {
      expect(decodeCursor(base64(json)), json).toBeUndefined();
    }
    expect(decodeCursor(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url'))).toBeUndefined();
    expect(decodeCursor('A'.repeat(1025))).toBeUndefined();
  });

  const DAY = { start: '2021-06-01', end: '2021-06-01' };
  const issue = (query: Record<string, unknown>) => {
    const result = listCallsQuerySchema.safeParse({ ...DAY, ...query });
    return result.success ? undefined : { path: result.error.issues[0]!.path, message: result.error.issues[0]!.message };
  };

  it.each([
    [{ phoneNumber: '\u0000' }, 'phoneNumber', 'must not contain U+0000 or lone surrogates'],
    [{ phoneNumber: '03\ud83d' }, 'phoneNumber', 'must not contain U+0000 or lone surrogates'],
    [{ phoneNumber: '\ude00' }, 'phoneNumber', 'must not contain U+0000 or lone surrogates'],
    [{ phoneNumber: '9'.repeat(257) }, 'phoneNumber', 'must be at most 256 characters'],
    [{ phoneNumber: ['1', '2'] }, 'phoneNumber', 'must be given once'],
    [{ start: ['2021-06-01', '2021-06-02'] }, 'start', 'must be given once'],
    [{ start: undefined }, 'start', 'is required'],
    [{ expand: ['all', 'none'] }, 'expand', 'must be given once'],
    [{ connectResult: ['BUSY'] }, 'connectResult', 'must be given once'],
    [{ cursor: ['a', 'b'] }, 'cursor', 'must be given once'],
    [{ cursor: forged('0000-01-01T00:00:00.000000Z', 'a') }, 'cursor', 'is not a cursor this service issued'],
    [{ limit: '1e3' }, 'limit', 'must be a positive integer'],
    [{ limit: '0x10' }, 'limit', 'must be a positive integer'],
    [{ limit: '-1' }, 'limit', 'must be a positive integer'],
    [{ limit: '1.5' }, 'limit', 'must be a positive integer'],
    [{ limit: '010' }, 'limit', 'must be a positive integer'],
    [{ limit: '9'.repeat(400) }, 'limit', 'must be at most 1000'],
    [{ limit: ['1', '2'] }, 'limit', 'must be given once'],
    [{ campaignId: '9007199254740992' }, 'campaignId', 'must be at most 9007199254740991'],
    [{ campaignId: '9223372036854775808' }, 'campaignId', 'must be at most 9007199254740991'],
    [{ campaignId: '1e3' }, 'campaignId', 'must be a non-negative integer'],
    [{ campaignId: '00' }, 'campaignId', 'must be a non-negative integer'],
  ])('refuses %j at its parameter: %s %s', (query, path, message) => {
    expect(issue(query)).toEqual({ path: [path], message });
  });

  it('accepts the edges of what is stored: a 256-character phone number with any character, adTaskId 0 and 2^53 - 1, 1000 calls a page', () => {
    const phoneNumber = `\u{1F4DE}${'9'.repeat(254)}`;
    expect(listCallsQuerySchema.parse({ ...DAY, phoneNumber, campaignId: '0', limit: '1000' })).toEqual({
      ...DAY,
      expand: 'none',
      phoneNumber,
      campaignId: 0,
      limit: 1000,
    });
    expect(listCallsQuerySchema.parse({ ...DAY, campaignId: '9007199254740991' }).campaignId).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('the next page URL replaces only the cursor and keeps every other parameter exactly as sent', () => {
    expect(nextPageUrl('/v1/calls?start=2021-06-01&end=2021-06-01&limit=2', 'NEW')).toBe(
      '/v1/calls?start=2021-06-01&end=2021-06-01&limit=2&cursor=NEW',
    );
    expect(nextPageUrl('/v1/calls?cursor=OLD&phoneNumber=%FF&x=a+b&limit=1&', 'NEW')).toBe(
      '/v1/calls?phoneNumber=%FF&x=a+b&limit=1&cursor=NEW',
    );
    expect(nextPageUrl('/v1/calls?%63ursor=OLD&limit=1&%E0=1', 'NEW')).toBe('/v1/calls?limit=1&%E0=1&cursor=NEW');
  });
});
