import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import { callback, commuboHeaders, ingest, startQueryTestPipeline } from '../fixtures/query-callbacks.ts';

/**
 * GET /v1/calls over calls stored by the real consumer: the range in the tenant's days, order, expand,
 * filters, limit/cursor pagination with Link headers (also while the consumer keeps storing new calls:
 * no call twice, none skipped, a new one exactly when it sorts after the page already read), and 400s.
 */
const at = (callId: string, start: string, overrides: Record<string, unknown> = {}) =>
  callback({ callId, callStartTime: start, callEndTime: start, ...overrides });

const notConnected = { callDuration: 0 };

/** Paging while inserting: calls a minute apart on 2021-07-01, and inserts between (and during) the first pages. */
const INITIAL_CALLS = 20;
const INSERTING_PAGES = 4;
const time = (hour: number, minute: number, second = 0) =>
  `2021-07-01 ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`;

describe('GET /v1/calls', () => {
  let pipeline: TestPipeline;
  let tenant: CreatedTenant;
  let paging: CreatedTenant;
  const get = (url: string, who: CreatedTenant = tenant) => pipeline.query.inject({ method: 'GET', url, headers: commuboHeaders(who) });
  const ids = async (url: string, who?: CreatedTenant) => {
    const response = await get(url, who);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().map((call: { callId: string }) => call.callId);
  };
  const RANGE = '/v1/calls?start=2021-06-01&end=2021-06-02';

  beforeAll(async () => {
    pipeline = await startQueryTestPipeline();
    tenant = await pipeline.createTenant();
    await pipeline.startConsumer();
    await ingest(pipeline, tenant, [
      at('before-range', '2021-05-31 23:59:59'),
      at('first-moment', '2021-06-01 00:00:00', { workflow: 1, fromNumber: '0311110000' }),
      at('mid-b', '2021-06-01 12:00:00', { ...notConnected, hangupCause: '話中', adTaskId: 555 }),
      at('mid-a', '2021-06-01 12:00:00', { adTaskId: 555 }),
      at('last-moment', '2021-06-02 23:59:59', { ...notConnected, hangupCause: '不在', instances: undefined, contactDetailRel: undefined }),
      at('after-range', '2021-06-03 00:00:00'),
    ]);
    paging = await pipeline.createTenant();
    await ingest(
      pipeline,
      paging,
      Array.from({ length: INITIAL_CALLS }, (_, index) => at(`initial-${String(index).padStart(2, '0')}`, time(10, index))),
    );
  });
  afterAll(() => pipeline?.close());

  it('returns the calls of [start, end] in the tenant timezone, ordered by callDateTime then callId', async () => {
    expect(await ids(RANGE)).toEqual(['first-moment', 'mid-a', 'mid-b', 'last-moment']);
    expect(await ids('/v1/calls?start=2021-06-02&end=2021-06-02')).toEqual(['last-moment']);
    expect(await ids('/v1/calls?start=2021-06-04&end=2021-06-30')).toEqual([]);
  });

  it('the days are those of the tenant timezone, not UTC', async () => {
    const newYork = await pipeline.createTenant({ timezone: 'America/New_York' });
    await ingest(pipeline, newYork, [at('late-evening', '2021-06-01 22:00:00')]); // 2021-06-02T02:00Z
    expect(await ids('/v1/calls?start=2021-06-01&end=2021-06-01', newYork)).toEqual(['late-evening']);
    expect(await ids('/v1/calls?start=2021-06-02&end=2021-06-02', newYork)).toEqual([]);
  });

  it('expand=all: each element equals the single-call answer', async () => {
    const response = await get(`${RANGE}&expand=all`);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const singles = [];
    for (const callId of ['first-moment', 'mid-a', 'mid-b', 'last-moment']) singles.push((await get(`/v1/calls/${callId}`)).json());
    expect(response.json()).toEqual(singles);
  });

  it('expand=none (the default) leaves only the ids of customer and operator; customer and operator expand one', async () => {
    const full = (await get(`${RANGE}&expand=all`)).json();
    type Call = { customer?: { customerId: string }; operator?: { operatorId: string } };
    const only = (call: Call, keep: { customer: boolean; operator: boolean }) => ({
      ...call,
      ...(call.customer && !keep.customer ? { customer: { customerId: call.customer.customerId } } : {}),
      ...(call.operator && !keep.operator ? { operator: { operatorId: call.operator.operatorId } } : {}),
    });
    const none = full.map((call: Call) => only(call, { customer: false, operator: false }));
    expect((await get(RANGE)).json()).toEqual(none);
    expect((await get(`${RANGE}&expand=none`)).json()).toEqual(none);
    expect(none[0].customer).toEqual({ customerId: expect.any(String) });
    expect(none[0].operator).toEqual({ operatorId: '25233' });
    expect((await get(`${RANGE}&expand=customer`)).json()).toEqual(
      full.map((call: Call) => only(call, { customer: true, operator: false })),
    );
    expect((await get(`${RANGE}&expand=operator`)).json()).toEqual(
      full.map((call: Call) => only(call, { customer: false, operator: true })),
    );
  });

  it('filters by phoneNumber, campaignId and connectResult, alone and together', async () => {
    expect(await ids(`${RANGE}&phoneNumber=0311110000`)).toEqual(['first-moment']);
    expect(await ids(`${RANGE}&campaignId=555`)).toEqual(['mid-a', 'mid-b']);
    expect(await ids(`${RANGE}&connectResult=BUSY`)).toEqual(['mid-b']);
    expect(await ids(`${RANGE}&connectResult=NO_ANSWER`)).toEqual(['last-moment']);
    expect(await ids(`${RANGE}&connectResult=SUCCESSFUL`)).toEqual(['first-moment', 'mid-a']);
    expect(await ids(`${RANGE}&connectResult=SUCCESSFUL&campaignId=555`)).toEqual(['mid-a']);
    expect(await ids(`${RANGE}&connectResult=REJECTED`)).toEqual([]);
  });

  it('limit pages with a Link rel="next" header that keeps the other parameters; the last page has none', async () => {
    const pages: string[][] = [];
    let url: string | undefined = `${RANGE}&expand=operator&limit=1`;
    while (url) {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      pages.push(response.json().map((call: { callId: string }) => call.callId));
      const link = response.headers.link as string | undefined;
      url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
      if (url) expect(new URL(url, 'http://x').searchParams.get('expand')).toBe('operator');
    }
    expect(pages).toEqual([['first-moment'], ['mid-a'], ['mid-b'], ['last-moment']]);

    const exact = await get(`${RANGE}&limit=4`);
    expect(exact.json()).toHaveLength(4);
    expect(exact.headers.link).toBeUndefined();

    const filtered = await get(`${RANGE}&connectResult=SUCCESSFUL&limit=1`);
    expect(filtered.json().map((call: { callId: string }) => call.callId)).toEqual(['first-moment']);
    const next = /^<([^>]+)>/.exec(filtered.headers.link as string)![1]!;
    const rest = await get(next);
    expect(rest.json().map((call: { callId: string }) => call.callId)).toEqual(['mid-a']);
    expect(rest.headers.link).toBeUndefined();
  });

  it('a cursor without limit streams the rest of the range', async () => {
    const first = await get(`${RANGE}&limit=2`);
    const cursor = new URL(/^<([^>]+)>/.exec(first.headers.link as string)![1]!, 'http://x').searchParams.get('cursor')!;
    expect(await ids(`${RANGE}&cursor=${cursor}`)).toEqual(['mid-b', 'last-moment']);
  });

  it.each([
    ['/v1/calls?end=2021-06-01', 'INVALID_DATE', 'start'],
    ['/v1/calls?start=2021-06-01', 'INVALID_DATE', 'end'],
    ['/v1/calls?start=2021-02-30&end=2021-03-01', 'INVALID_DATE', 'start'],
    ['/v1/calls?start=20210601&end=2021-06-02', 'INVALID_DATE', 'start'],
    ['/v1/calls?start=2021-06-02&end=2021-06-01', 'INVALID_DATE_RANGE', 'end'],
    [`${RANGE}&expand=everything`, 'INVALID_EXPAND', 'expand'],
    [`${RANGE}&limit=0`, 'INVALID_LIMIT', 'limit'],
    [`${RANGE}&limit=1001`, 'INVALID_LIMIT', 'limit'],
    [`${RANGE}&limit=ten`, 'INVALID_LIMIT', 'limit'],
    [`${RANGE}&cursor=not-a-cursor`, 'INVALID_CURSOR', 'cursor'],
    [`${RANGE}&connectResult=MAYBE`, 'INVALID_CONNECT_RESULT', 'connectResult'],
    [`${RANGE}&campaignId=abc`, 'INVALID_CAMPAIGN_ID', 'campaignId'],
    [`${RANGE}&phoneNumber=`, 'INVALID_PHONE_NUMBER', 'phoneNumber'],
    [`${RANGE}&start=2021-06-01`, 'INVALID_DATE', 'start'],
  ])('400 for %s: %s', async (url, code, parameter) => {
    const response = await get(url);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: { code, message: expect.stringMatching(new RegExp(`^${parameter}: .+`)) } });
  });

  it('paginates with limit/cursor while calls are being inserted: no duplicates, no gaps', async () => {
    const tenant = paging;
    const initial = Array.from({ length: INITIAL_CALLS }, (_, index) => `initial-${String(index).padStart(2, '0')}`);
    const mustAppear: string[] = [];
    const mustNotAppear: string[] = [];
    const racing: string[] = [];
    const seen: string[] = [];
    let url: string | undefined = '/v1/calls?start=2021-07-01&end=2021-07-01&limit=4';

    for (let page = 0; url; page += 1) {
      // Some calls are stored while this page is being read: each may or may not be on it. (Inserts stop
      // after a few pages, so that paging ends.)
      const inserting = page < INSERTING_PAGES;
      const raced = inserting ? [at(`racing-${page}-early`, time(9, page)), at(`racing-${page}-late`, time(22, page))] : [];
      racing.push(...raced.map((call) => call.callId as string));
      const racingIngest = raced.length > 0 ? ingest(pipeline, tenant, raced) : Promise.resolve();
      const response = await pipeline.query.inject({ method: 'GET', url, headers: commuboHeaders(tenant) });
      await racingIngest;
      expect(response.statusCode).toBe(200);
      const calls: { callId: string; callDateTime: string }[] = response.json();
      seen.push(...calls.map((call) => call.callId));
      const link = response.headers.link as string | undefined;
      url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
      if (!url || !inserting) continue;

      // Others are stored between pages, on both sides of where this page ended, and at its very time.
      const last = calls.at(-1)!;
      const lastTime = `2021-07-01 ${last.callDateTime.slice(11, 19)}`;
      const before = [
        at(`before-${page}`, time(9, 30, page)),
        at(`${last.callId}-0-same-time-before`.replace('initial', 'early'), lastTime),
      ];
      const after = [at(`after-${page}`, time(23, page)), at(`${last.callId}-same-time-after`, lastTime)];
      mustNotAppear.push(...before.map((call) => call.callId as string));
      mustAppear.push(...after.map((call) => call.callId as string));
      await ingest(pipeline, tenant, [...before, ...after]);
    }

    expect(new Set(seen).size).toBe(seen.length);
    for (const callId of [...initial, ...mustAppear]) expect(seen, callId).toContain(callId);
    for (const callId of mustNotAppear) expect(seen, callId).not.toContain(callId);
    expect(seen.filter((callId) => !initial.includes(callId) && !mustAppear.includes(callId) && !racing.includes(callId))).toEqual([]);

    // And the pages, put together, are in the order of the whole list.
    const { rows } = await pipeline.db.pool.query<{ call_id: string }>(
      'select call_id from calls where tenant_id = $1 and call_id = any($2) order by call_start_time, call_id',
      [tenant.tenantId, seen],
    );
    expect(seen).toEqual(rows.map((row) => row.call_id));
    expect(mustAppear).toHaveLength(2 * INSERTING_PAGES);
  });
});
