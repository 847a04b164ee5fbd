import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import { callback, commuboHeaders, ingest, startQueryTestPipeline } from '../fixtures/query-callbacks.ts';
import { fuzzRuns } from '../support/chaos-callback-arbitrary.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import { CALLS, DAYS, TENANTS, callsAfter, callsInRange, startBounds, type TenantKey } from '../support/query-fuzz-calls.ts';
import { EXPANDS, allowedRefusals, listQueryArb, queryString, type IssuedCursor, type ListQuery } from '../support/query-list-arbitrary.ts';

/**
 * The query side fuzzed through the production query app on the real Postgres, over calls two tenants
 * stored through the real ingress and consumer (test/support/query-fuzz-calls.ts):
 * - GET /v1/calls with generated start, end, expand, limit and cursor (issued, tampered, forged, made up):
 *   never a 5xx; a 400 names a parameter that is invalid; a 200 holds only the tenant's own calls, exactly
 *   those of the range after the cursor's position, in order, at most `limit` with a Link while more follow;
 * - paging with limit through a range by the Link headers: every call of the range once, in order;
 * - GET /v1/calls/{callId} (and /conversations, /raw) with generated ids in every encoding: the tenant's own
 *   call, or 404, or 400 for an id no call can have; never another tenant's call, never a 5xx.
 * CI runs a few hundred cases per property; `npm run fuzz` runs 10,000.
 */
let pipeline: TestPipeline;
const tenants = {} as Record<TenantKey, CreatedTenant>;
const issued: IssuedCursor[] = [];
const KEYS = ['A', 'B'] as const;
const ALL_IDS = [...new Set(KEYS.flatMap((key) => CALLS[key].map((call) => call.callId)))];
const NEXT = /^<(\/v1\/calls\?[^>]*)>; rel="next"$/;

const get = (tenant: TenantKey, url: string) => pipeline.query.inject({ method: 'GET', url, headers: commuboHeaders(tenants[tenant]) });

type Listed = { callId: string; note?: string };

beforeAll(async () => {
  pipeline = await startQueryTestPipeline();
  for (const key of KEYS) tenants[key] = await pipeline.createTenant({ timezone: TENANTS[key].timezone });
  await pipeline.startConsumer();
  for (const key of KEYS) {
    const { marker } = TENANTS[key];
    await ingest(
      pipeline,
      tenants[key],
      CALLS[key].map((call) => callback({ callId: call.callId, callStartTime: call.local, callEndTime: call.local, remark: marker })),
    );
  }
  // The cursors the service issues: one after each call, paging through everything one call at a time.
  for (const key of KEYS) {
    const seen: string[] = [];
    let url: string | undefined = '/v1/calls?start=1900-01-01&end=9998-12-31&limit=1';
    while (url) {
      const response = await get(key, url);
      expect(response.statusCode, response.body).toBe(200);
      seen.push(...response.json().map((call: Listed) => call.callId));
      const link = response.headers.link as string | undefined;
      url = link === undefined ? undefined : NEXT.exec(link)![1]!;
      if (url) {
        const cursor = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('cursor')!;
        const last = CALLS[key][seen.length - 1]!;
        issued.push({ tenant: key, cursor, position: { at: last.at, callId: last.callId } });
      }
    }
    expect(seen).toEqual(CALLS[key].map((call) => call.callId));
  }
}, 180_000);

afterAll(() => pipeline?.close());

/** Only the tenant's own calls: each id one of its own, with its own remark (ids are shared between the two). */
function expectOwnCalls(tenant: TenantKey, listed: Listed[]): void {
  const own = new Set(CALLS[tenant].map((call) => call.callId));
  for (const call of listed) {
    expect({ callId: call.callId, own: own.has(call.callId), note: call.note }).toEqual({
      callId: call.callId,
      own: true,
      note: TENANTS[tenant].marker,
    });
  }
}

function expectListAnswer(query: ListQuery, response: LightMyRequestResponse): void {
  const listed: Listed[] = response.json();
  expectOwnCalls(query.tenant, listed);
  const ids = listed.map((call) => call.callId);
  const range = callsInRange(query.tenant, query.start.value!, query.end.value!);
  const limit = query.limit.state === 'valid' ? Number(query.limit.value) : undefined;
  const link = response.headers.link as string | undefined;
  if (link !== undefined) expect(link).toMatch(NEXT);
  if (query.cursor.state !== 'maybe') {
    const rest = query.cursor.state === 'known' ? callsAfter(range, query.cursor.position!) : range;
    const page = limit === undefined ? rest : rest.slice(0, limit);
    expect({ ids, next: link !== undefined }).toEqual({
      ids: page.map((call) => call.callId),
      next: limit !== undefined && rest.length > limit,
    });
    return;
  }
  // A cursor the service took without having issued it: still a run of the range without a gap, ending
  // the range or a full page, and beginning where the cursor's instant says.
  const rangeIds = range.map((call) => call.callId);
  const from = ids.length === 0 ? rangeIds.length : rangeIds.indexOf(ids[0]!);
  expect(ids).toEqual(rangeIds.slice(from, from + ids.length));
  const ends = from + ids.length === rangeIds.length;
  expect({ next: link !== undefined, full: ends || ids.length === limit, within: ids.length <= (limit ?? Infinity) }).toEqual({
    next: !ends,
    full: true,
    within: true,
  });
  if (query.cursor.decoded) {
    const bounds = startBounds(range, query.cursor.decoded.at);
    expect({ from, within: from >= bounds.from && from <= bounds.to }).toEqual({ from, within: true });
  }
}

describe('the query service fuzzed', () => {
  it('GET /v1/calls: never a 5xx; a 400 names an invalid parameter; a 200 holds exactly the tenant calls of the range after the cursor', async () => {
    await fc.assert(
      fc.asyncProperty(listQueryArb(issued, ALL_IDS), async (query) => {
        const response = await get(query.tenant, `/v1/calls?${queryString(query)}`);
        const { must, refusals } = allowedRefusals(query);
        if (response.statusCode === 400) {
          const body = response.json();
          expect(Object.keys(body.error)).toEqual(['code', 'message']);
          const parameter = /^([a-zA-Z]+): /.exec(body.error.message)?.[1];
          expect([...refusals]).toContain(`${body.error.code} ${parameter}`);
          return;
        }
        expect({ status: response.statusCode, refusal: must }).toEqual({ status: 200, refusal: false });
        expectListAnswer(query, response);
      }),
      { numRuns: fuzzRuns(300) },
    );
  }, 1_800_000);

  it('paging through a range by its Link headers returns every call of the range once, in order, in full pages', async () => {
    const paging = fc.record({
      tenant: fc.constantFrom<TenantKey>(...KEYS),
      days: fc.tuple(fc.constantFrom(...DAYS), fc.constantFrom(...DAYS)).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
      expand: fc.option(fc.constantFrom(...EXPANDS), { nil: undefined }),
      limit: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 })),
    });
    await fc.assert(
      fc.asyncProperty(paging, async ({ tenant, days: [start, end], expand, limit }) => {
        const expected = callsInRange(tenant, start!, end!).map((call) => call.callId);
        const sent = { start: start!, end: end!, ...(expand ? { expand } : {}), limit: String(limit) };
        const read: string[] = [];
        let url: string | undefined = `/v1/calls?${new URLSearchParams(sent).toString()}`;
        for (let page = 0; url; page++) {
          expect(page).toBeLessThanOrEqual(expected.length);
          const response = await get(tenant, url);
          expect(response.statusCode, response.body).toBe(200);
          const listed: Listed[] = response.json();
          expectOwnCalls(tenant, listed);
          read.push(...listed.map((call) => call.callId));
          const link = response.headers.link as string | undefined;
          url = link === undefined ? undefined : NEXT.exec(link)?.[1];
          if (link !== undefined) {
            expect({ url: url !== undefined, size: listed.length }).toEqual({ url: true, size: limit });
            const params = Object.fromEntries(
              [...new URLSearchParams(url!.slice(url!.indexOf('?') + 1))].filter(([name]) => name !== 'cursor'),
            );
            expect(params).toEqual(sent);
          }
        }
        expect(read).toEqual(expected);
      }),
      { numRuns: fuzzRuns(100) },
    );
  }, 1_800_000);

  it('GET /v1/calls/{callId} and its /conversations and /raw: the own call, 404, or 400 for an impossible id; never another tenant, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<TenantKey>(...KEYS),
        callIdArb,
        fc.constantFrom<'encodeURIComponent' | 'every byte'>('encodeURIComponent', 'every byte'),
        fc.constantFrom('', '/conversations', '/raw'),
        async (tenant, callId, encoding, suffix) => {
          const path = encodePathSegment(callId, encoding);
          const response = await get(tenant, `/v1/calls/${path}${suffix}`);
          const own = CALLS[tenant].some((call) => call.callId === callId);
          const body = response.body === '' ? undefined : response.json();
          if (callId === '') {
            expect(response.statusCode).toBeGreaterThanOrEqual(400);
            expect(response.statusCode).toBeLessThan(500);
          } else if (!isWellFormed(callId) || callId.includes('\u0000') || callId.length > 128) {
            expect({ status: response.statusCode, code: body.error.code }).toEqual({
              status: 400,
              code: isWellFormed(callId) ? 'INVALID_CALL_ID' : expect.stringMatching(/^(INVALID_CALL_ID|BAD_URL)$/),
            });
          } else if (own) {
            expect(response.statusCode, response.body).toBe(200);
            if (suffix === '') expect({ callId: body.callId, note: body.note }).toEqual({ callId, note: TENANTS[tenant].marker });
            if (suffix === '/raw') expect({ callId: body.callId, remark: body.remark }).toEqual({ callId, remark: TENANTS[tenant].marker });
            if (suffix === '/conversations') expect(Array.isArray(body)).toBe(true);
          } else {
            expect({ status: response.statusCode, body }).toEqual({
              status: 404,
              body: { error: { code: 'CALL_NOT_FOUND', message: `no call ${callId} for this tenant` } },
            });
          }
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  }, 1_800_000);
});

/**
 * Ids stored by A or B, the same changed a little, arbitrary text, and ids no stored call can have. Not `.`
 * or `..`: URL clients (inject too, as fetch) resolve them as dot segments, also written %2E, before the
 * request leaves (docs/query-api.md), so they reach another route; the lists still return those calls.
 */
const DOT_SEGMENTS = new Set(['.', '..']);
const callIdArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ALL_IDS) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...ALL_IDS), fc.constantFrom('upper', 'lower', 'space', 'prefix', 'suffix', 'chop', 'nfd'))
        .map(([id, how]) => {
          switch (how) {
            case 'upper':
              return id.toUpperCase();
            case 'lower':
              return id.toLowerCase();
            case 'space':
              return ` ${id}`;
            case 'prefix':
              return `x${id}`;
            case 'suffix':
              return `${id}/`;
            case 'chop':
              return id.slice(0, -1);
            default:
              return id.normalize('NFD');
          }
        }),
    },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 130 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(129), '\u0000', 'a\u0000b', '\uD800', 'a\uDFFFb', '%', '%%', '?', '#') },
  )
  .filter((callId) => !DOT_SEGMENTS.has(callId));

const isWellFormed = (text: string) => !/\p{Surrogate}/u.test(text);

/**
 * A path segment for the id: encodeURIComponent, or every UTF-8 byte percent-encoded. A lone surrogate,
 * which has no UTF-8, is written as the three bytes a careless encoder makes of it (CESU-8).
 */
function encodePathSegment(callId: string, encoding: 'encodeURIComponent' | 'every byte'): string {
  let path = '';
  for (const character of callId) {
    const code = character.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      path += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else if (encoding === 'encodeURIComponent') {
      path += encodeURIComponent(character);
    } else {
      path += [...Buffer.from(character, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    }
  }
  return path;
}
