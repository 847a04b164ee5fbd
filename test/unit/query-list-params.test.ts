import { describe, expect, it } from 'vitest';
import { dayRange, decodeCursor, encodeCursor, expandOf, listCallsQuerySchema } from '../../services/query/list-params.ts';

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
      listCallsQuerySchema.parse({ start: '2021-06-01', end: '2021-06-01', limit: '50', cursor, campaignId: '1762', connectResult: 'BUSY' }),
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
});
