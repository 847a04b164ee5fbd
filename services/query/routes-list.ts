import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { commuboAuth } from './auth.ts';
import { callHistorySchema, errorBodySchema } from './call-history-schema.ts';
import { listCalls, type ListedCall } from './call-list.ts';
import type { CallsRepository } from './calls-repository.ts';
import { jsonArrayChunks } from './json-array.ts';
import { encodeCursor, listCallsQuerySchema, type ListCallsQuery } from './list-params.ts';

/**
 * GET /v1/calls: the whole range as one JSON array streamed from a database cursor (commubo's shape),
 * or, with `limit`, one page and a Link rel="next" header (our extension; the body stays an array).
 */
export function listRoute(app: FastifyInstance, deps: { tenants: TenantAuthenticator; calls: CallsRepository }): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/calls',
    {
      // A HEAD would run the whole query only to throw the body away.
      exposeHeadRoute: false,
      onRequest: commuboAuth(deps.tenants),
      schema: {
        summary: 'Calls whose callDateTime falls in [start, end]',
        description:
          'Ordered by callDateTime, then callId. Without limit the whole range is streamed as one array; with limit, ' +
          'a Link: <…>; rel="next" header is present while more calls follow.',
        tags: ['call history'],
        security: [{ tenantId: [], accessToken: [] }],
        querystring: listCallsQuerySchema,
        response: { 200: z.array(callHistorySchema), 400: errorBodySchema, 403: errorBodySchema, 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      const calls = listCalls(deps.calls, request.tenant!, request.query)[Symbol.asyncIterator]();
      if (request.query.limit !== undefined) return sendPage(reply, calls, request.query, request.url);
      // Read the first batch before answering, so that a database failure is a 5xx, not a broken 200.
      const first = await calls.next();
      return sendStream(reply, calls, first);
    },
  );
}

async function sendPage(reply: FastifyReply, calls: AsyncIterator<ListedCall>, query: ListCallsQuery, url: string) {
  const limit = query.limit!;
  const page: ListedCall[] = [];
  try {
    // One more than the page, to know whether a next page exists.
    for (let next = await calls.next(); !next.done; next = await calls.next()) {
      page.push(next.value);
      if (page.length > limit) break;
    }
  } finally {
    await calls.return?.();
  }
  if (page.length > limit) {
    page.length = limit;
    reply.header('link', `<${nextPageUrl(url, encodeCursor(page[limit - 1]!.position))}>; rel="next"`);
  }
  return page.map((listed) => listed.call);
}

/**
 * The request's own URL with its cursor replaced. The other parameters are copied as sent, not decoded
 * and encoded again: a value that is not valid percent-encoding (`phoneNumber=%FF` is taken literally)
 * would come back as something else, and the next page would filter on another value.
 */
export function nextPageUrl(url: string, cursor: string): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const kept = query.split('&').filter((part) => part !== '' && parameterName(part) !== 'cursor');
  return `/v1/calls?${[...kept, `cursor=${cursor}`].join('&')}`;
}

function parameterName(part: string): string {
  const name = part.split('=', 1)[0]!.replaceAll('+', ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

function sendStream(reply: FastifyReply, calls: AsyncIterator<ListedCall>, first: IteratorResult<ListedCall>) {
  async function* all(): AsyncGenerator<unknown> {
    for (let next = first; !next.done; next = await calls.next()) yield next.value.call;
  }
  const body = Readable.from(jsonArrayChunks(all()), { objectMode: false });
  // However the body ends (finished, client gone, error), the cursor closes and its connection returns,
  // even if the body was never read at all.
  body.once('close', () => void calls.return?.(undefined));
  return reply.type('application/json; charset=utf-8').send(body);
}
