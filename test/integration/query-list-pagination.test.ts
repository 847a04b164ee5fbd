import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import { startTestPipeline, type TestPipeline } from '../support/pipeline.ts';
import { callback, commuboHeaders, ingest } from '../fixtures/query-callbacks.ts';

/**
 * Keyset pagination while the consumer keeps storing new calls: no call is returned twice, none that
 * existed when paging began is skipped, and a call stored meanwhile shows up exactly when it sorts after
 * the page already read (and never when it sorts before).
 */
const time = (hour: number, minute: number, second = 0) =>
  `2021-07-01 ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}`;
const INSERTING_PAGES = 6;
const at = (callId: string, start: string) => callback({ callId, callStartTime: start, callEndTime: start });

describe('GET /v1/calls?limit=…&cursor=… while calls are being inserted', () => {
  let pipeline: TestPipeline;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    tenant = await pipeline.createTenant();
    await pipeline.startConsumer();
    await ingest(
      pipeline,
      tenant,
      Array.from({ length: 30 }, (_, index) => at(`initial-${String(index).padStart(2, '0')}`, time(10, index))),
    );
  });
  afterAll(() => pipeline?.close());

  it('has no duplicates and no gaps', async () => {
    const initial = Array.from({ length: 30 }, (_, index) => `initial-${String(index).padStart(2, '0')}`);
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
      const before = [at(`before-${page}`, time(9, 30, page)), at(`${last.callId}-0-same-time-before`.replace('initial', 'early'), lastTime)];
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
