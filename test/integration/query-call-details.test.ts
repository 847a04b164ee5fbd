import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedTenant } from '../../shared/tenants/repository.ts';
import type { TestPipeline } from '../support/pipeline.ts';
import {
  SEED_CALL_ID,
  callback,
  commuboHeaders,
  ingest,
  instance,
  line,
  seedCallback,
  startQueryTestPipeline,
} from '../fixtures/query-callbacks.ts';

/**
 * The other single-call answers (conversations, raw) and conditional GET, on calls stored by the real
 * consumer.
 */
const SEED_LINE_TIME = (second: number) => `2021-05-29T10:23:${second}+09:00`;

describe('GET /v1/calls/{callId}/conversations, /raw and conditional GET', () => {
  let pipeline: TestPipeline;
  let tenant: CreatedTenant;
  const get = (url: string, headers: Record<string, string> = {}) =>
    pipeline.query.inject({ method: 'GET', url, headers: { ...commuboHeaders(tenant), ...headers } });

  beforeAll(async () => {
    pipeline = await startQueryTestPipeline();
    tenant = await pipeline.createTenant();
    await pipeline.startConsumer();
    await ingest(pipeline, tenant, [
      callback({}),
      callback({ callId: 'no-dialogue', instances: undefined }),
      callback({
        callId: 'two-sessions',
        instances: [
          instance(101, 1001, 'ボットA', [
            line(1, '2021-05-29 10:23:45', 'もしもし'),
            line(2, '2021-05-29 10:23:47', 'はい', { type: 1, name: 'ノード1' }),
          ]),
          instance(202, 2002, 'ボットB', [line(9, '2021-05-29 10:23:50', '転送'), line(1, '2021-05-29 10:23:52', '失礼します')]),
        ],
      }),
      callback({ callId: 'etag-call', remark: 'first version' }),
    ]);
  });
  afterAll(() => pipeline?.close());

  it('the seed conversation: lines in order, roles as message types, nodeName only when matched', async () => {
    const response = await get(`/v1/calls/${SEED_CALL_ID}/conversations`);
    expect(response.statusCode).toBe(200);
    const operator = { operatorId: '25233' };
    expect(response.json()).toEqual([
      {
        seq: 1,
        messageType: 0,
        operator,
        message: 'Many lessons are boring, and he is very tired after doing gym.',
        messageDateTime: SEED_LINE_TIME(43),
      },
      { seq: 2, messageType: 1, operator, nodeName: '無視', message: 'うん。', messageDateTime: SEED_LINE_TIME(49) },
      { seq: 3, messageType: 1, operator, nodeName: 'デフォルト', message: '英語です。', messageDateTime: SEED_LINE_TIME(56) },
    ]);
  });

  it('numbers lines across sessions, each with its own bot', async () => {
    expect((await get('/v1/calls/two-sessions/conversations')).json()).toEqual([
      { seq: 1, messageType: 0, operator: { operatorId: '101' }, message: 'もしもし', messageDateTime: SEED_LINE_TIME(45) },
      {
        seq: 2,
        messageType: 1,
        operator: { operatorId: '101' },
        nodeName: 'ノード1',
        message: 'はい',
        messageDateTime: SEED_LINE_TIME(47),
      },
      { seq: 3, messageType: 9, operator: { operatorId: '202' }, message: '転送', messageDateTime: SEED_LINE_TIME(50) },
      { seq: 4, messageType: 0, operator: { operatorId: '202' }, message: '失礼します', messageDateTime: SEED_LINE_TIME(52) },
    ]);
  });

  it('a call without dialogue has an empty conversation; a missing call is 404', async () => {
    const empty = await get('/v1/calls/no-dialogue/conversations');
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual([]);
    const missing = await get('/v1/calls/nothing-here/conversations');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'CALL_NOT_FOUND', message: 'no call nothing-here for this tenant' } });
  });

  it('raw: the stored callback, as the ingress accepted it', async () => {
    const response = await get(`/v1/calls/${SEED_CALL_ID}/raw`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({ ...seedCallback, customerNumber: '18770915633' });
    expect((await get('/v1/calls/nothing-here/raw')).statusCode).toBe(404);
  });

  it.each(['', '/conversations', '/raw'])('ETag on %s and 304 for If-None-Match, strong or weak', async (suffix) => {
    const url = `/v1/calls/${SEED_CALL_ID}${suffix}`;
    const first = await get(url);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect((await get(url)).headers.etag).toBe(etag);

    for (const condition of [etag, `W/${etag}`, `"something-else", ${etag}`, '*']) {
      const notModified = await get(url, { 'if-none-match': condition });
      expect(notModified.statusCode, condition).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers.etag).toBe(etag);
    }
    const modified = await get(url, { 'if-none-match': '"something-else"' });
    expect(modified.statusCode).toBe(200);
    expect(modified.body).toBe(first.body);
  });

  it('an updated call gets a new ETag, and the old one no longer matches', async () => {
    const before = await get('/v1/calls/etag-call');
    expect(before.json().note).toBe('first version');
    await ingest(pipeline, tenant, [callback({ callId: 'etag-call', remark: 'second version' })]);
    const after = await get('/v1/calls/etag-call', { 'if-none-match': before.headers.etag as string });
    expect(after.statusCode).toBe(200);
    expect(after.json().note).toBe('second version');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('If-None-Match never turns an error into 304', async () => {
    const missing = await get('/v1/calls/nothing-here', { 'if-none-match': '*' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers.etag).toBeUndefined();
    const forbidden = await pipeline.query.inject({
      method: 'GET',
      url: `/v1/calls/${SEED_CALL_ID}`,
      headers: { 'if-none-match': '*', 'x-commubo-tenantId': tenant.tenantId, 'x-commubo-accessToken': 'wrong' },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});
