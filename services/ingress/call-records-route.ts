import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { decodeCallback } from './callback-body/decode-callback-body.ts';
import { createEnvelope } from '../../shared/callback/envelope.ts';
import { REJECTED_SCHEMA_VERSION } from './quarantine-record.ts';
import { listIssues, type ListedIssues } from './callback-body/issue-list.ts';
import { PublishError, type CallRecordPublisher } from './publish/call-record-publisher.ts';
import type { Authentication, TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import type { Tenant } from '../../shared/tenants/repository.ts';
import { errorSummary, isTransientPostgresFailure } from '../../shared/db/errors.ts';
import { sendError, sendUnavailable, type ErrorBody } from '../../shared/http/error-codes.ts';
import { ERROR_HANDLER_PLUGIN } from '../../shared/http/error-handler.ts';
import { KAFKA_UNAVAILABLE_MESSAGE, signatureRefusalAnswer } from './errors.ts';
import type { IngressMetrics } from './metrics.ts';
import { PRESSURE_PLUGIN } from './pressure.ts';
import type { TenantRateLimit } from './fairness/tenant-rate-limit.ts';
import { SIGNATURE_HEADER } from './signature/callback-signature.ts';
import type { TenantSignatures } from './signature/tenant-signatures.ts';
import { requestSpan } from '../../shared/tracing/http-tracing.ts';

/**
 * POST /v1/tenants/{tenantId}/call-records (docs/topic-contract.md, what the sender gets). The tenant is checked before the body is
 * read, so an unauthenticated sender learns nothing and costs nothing; a tenant that signs its callbacks has
 * the signature checked against the raw body next, before anything of it is decoded; then it is decoded, and the
 * answer waits for Kafka: 200 once the envelope is acknowledged, 422 once the refused payload is on the
 * quarantine topic. Nothing is half accepted: if Kafka does not acknowledge, the answer is 503.
 */
export interface CallRecordsRouteDeps {
  tenants: TenantAuthenticator;
  publisher: CallRecordPublisher;
  metrics: IngressMetrics;
  retryAfterSeconds: number;
  rateLimit: TenantRateLimit;
  signatures: TenantSignatures;
  now: () => Date;
}

// A repeated query parameter arrives as an array, whatever the route expects.
type CallRecordsRequest = FastifyRequest<{ Params: { tenantId: string }; Querystring: { token?: string | string[] } }>;

/**
 * The one token the request presents, or undefined. A header or parameter given more than once is not a
 * token: which copy would count is a guess, and a guess is not how credentials are checked.
 */
function presentedToken(request: CallRecordsRequest): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(onlyString(request.headers.authorization) ?? '')?.[1];
  return bearer ?? onlyString(request.headers['x-callstream-token']) ?? onlyString(request.query.token);
}

const onlyString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const QUEUE_SHARE_MESSAGE =
  'the queue to Kafka is nearly full and this tenant holds its share of it; the record was not accepted, retry later';

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

async function callRecordsRoutePlugin(app: FastifyInstance, deps: CallRecordsRouteDeps): Promise<void> {
  const tenants = new WeakMap<FastifyRequest, Tenant>();

  // The body is kept as text: the quarantine stores it exactly as received, and decodeCallback bounds
  // its nesting before parsing. Any other media type is a 415 (Fastify's own, mapped in errors.ts).
  app.removeAllContentTypeParsers();
  // Bytes that are not UTF-8 are refused (400) rather than decoded with U+FFFD in their place: a sender's
  // text must never be stored changed.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  async function authenticate(request: CallRecordsRequest, reply: FastifyReply) {
    let authentication: Authentication;
    try {
      authentication = await deps.tenants.authenticate(request.params.tenantId, presentedToken(request), 'ingest');
    } catch (error) {
      // Only a Postgres that cannot be used right now is worth a retry; a bug is the error handler's 500.
      if (!isTransientPostgresFailure(error)) throw error;
      request.log.warn({ error: errorSummary(error) }, 'tenant lookup failed');
      return sendUnavailable(reply, deps.retryAfterSeconds, 'TENANT_LOOKUP_UNAVAILABLE', 'the tenant could not be checked; retry later');
    }
    // A disabled tenant's sender gets the wrong-token answer: nothing tells a caller more than that its
    // credentials do not let it send.
    if (authentication.outcome !== 'authenticated') return sendError(reply, 'UNAUTHORIZED', 'unknown tenant or wrong ingest token');
    // Before the body is read: a tenant over its rate costs no decoding, and nothing is published or
    // quarantined, since its sender keeps the payload and retries.
    const taken = deps.rateLimit.take(authentication.tenant, deps.now().getTime());
    if (!taken.allowed) {
      deps.metrics.rateLimited.inc();
      reply.header('retry-after', String(taken.retryAfterSeconds));
      return sendError(reply, 'TENANT_RATE_LIMITED', 'this tenant sends faster than its rate limit; retry after Retry-After seconds');
    }
    // Also before the body is read, for the same reason: a tenant flooding a nearly full queue is turned
    // away for the cost of its authentication, and the publisher checks again as the record goes in.
    if (!deps.publisher.hasRoomFor(authentication.tenant.tenantId)) return queueShareExceeded(reply);
    tenants.set(request, authentication.tenant);
    requestSpan(request).setAttribute('callstream.tenant_id', authentication.tenant.tenantId);
  }

  function queueShareExceeded(reply: FastifyReply) {
    deps.metrics.queueShareExceeded.inc();
    return sendUnavailable(reply, deps.retryAfterSeconds, 'TENANT_QUEUE_SHARE_EXCEEDED', QUEUE_SHARE_MESSAGE);
  }

  // After the body is read and before it is decoded: nothing a refused request sent is kept (not
  // published, not quarantined; its log lines are any request's, without header or body), only counted.
  async function verifySignature(request: CallRecordsRequest, reply: FastifyReply) {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const refusal = await deps.signatures.check(tenants.get(request)!, request.headers[SIGNATURE_HEADER], body, request.log);
    if (refusal === undefined) return;
    deps.metrics.signatureRefused.inc({ reason: refusal });
    const { code, message } = signatureRefusalAnswer(refusal, deps.signatures.toleranceSeconds);
    return sendError(reply, code, message);
  }

  function publishFailed(request: FastifyRequest, reply: FastifyReply, error: unknown, issues?: ListedIssues) {
    if (error instanceof PublishError && error.code === 'RECORD_TOO_LARGE') {
      return sendError(reply, 'RECORD_TOO_LARGE', `the record is too large for the topic: ${error.message}`, { ...issues });
    }
    request.log.warn({ err: error }, 'publish failed');
    if (error instanceof PublishError && error.code === 'QUEUE_SHARE_EXCEEDED') return queueShareExceeded(reply);
    if (error instanceof PublishError && error.code === 'PUBLISH_QUEUE_FULL') {
      return sendUnavailable(reply, deps.retryAfterSeconds, 'QUEUE_FULL', 'too many records are waiting for Kafka; retry later');
    }
    return sendUnavailable(reply, deps.retryAfterSeconds, 'KAFKA_UNAVAILABLE', KAFKA_UNAVAILABLE_MESSAGE);
  }

  // Every answer of the route but a 200 has an error code (shared/http/error-codes.ts), whoever sent it (this
  // route, the error handler, the pressure limits): counted by it, and told to the request's span.
  function countRefusal(request: FastifyRequest, _reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) {
    const code = (payload as Partial<ErrorBody> | null)?.error?.code;
    if (code !== undefined) {
      deps.metrics.refused.inc({ code });
      requestSpan(request).setAttribute('callstream.error_code', code);
    }
    done(null, payload);
  }
  app.addHook('preSerialization', countRefusal);

  const checks = { onRequest: authenticate, preHandler: verifySignature };
  app.post('/v1/tenants/:tenantId/call-records', checks, async (request: CallRecordsRequest, reply) => {
    const tenant = tenants.get(request)!;
    const receivedAt = deps.now();
    const span = requestSpan(request);
    let raw: string;
    try {
      raw = Buffer.isBuffer(request.body) ? STRICT_UTF8.decode(request.body) : '';
    } catch {
      return sendError(reply, 'INVALID_UTF8', 'the body is not valid UTF-8; send the callback as JSON encoded in UTF-8');
    }
    const decoded = decodeCallback(raw);

    if (decoded.kind === 'malformed') return sendError(reply, decoded.code, decoded.message);

    if (decoded.kind === 'rejected') {
      const eventId = randomUUID();
      // Capped: the whole list of a flood of wrong elements made a 30 MB answer and a record the topic refused.
      const listed = listIssues(decoded.issues);
      span.setAttribute('callstream.event_id', eventId);
      try {
        await deps.publisher.quarantine(
          {
            schemaVersion: REJECTED_SCHEMA_VERSION,
            eventId,
            tenantId: tenant.tenantId,
            receivedAt: receivedAt.toISOString(),
            contentType: request.headers['content-type'] ?? '',
            body: raw,
            ...listed,
          },
          span.spanContext(),
        );
      } catch (error) {
        return publishFailed(request, reply, error, listed);
      }
      deps.metrics.quarantined.inc();
      return sendError(reply, 'SCHEMA_VIOLATION', 'the callback does not match the schema; it was kept for inspection', {
        ...listed,
        eventId,
      });
    }

    const envelope = createEnvelope(tenant.tenantId, decoded.callback, randomUUID(), receivedAt);
    if (span.isRecording()) span.setAttributes({ 'callstream.call_id': envelope.callback.callId, 'callstream.event_id': envelope.eventId });
    // The call id on the request's log lines ("request completed"): how an operator finds a call's trace id.
    // pino's; a logger-less app's request log (a test's) has no bindings.
    (request.log as { setBindings?: (bindings: object) => void }).setBindings?.({ callId: envelope.callback.callId });
    try {
      await deps.publisher.publish(envelope, span.spanContext());
    } catch (error) {
      return publishFailed(request, reply, error);
    }
    deps.metrics.produced.inc();
    deps.metrics.acceptedFor(tenant.tenantId);
    return { status: 'accepted', callId: envelope.callback.callId, eventId: envelope.eventId };
  });
}

/**
 * Encapsulated: its content-type parser is for this route alone. After the error handler (a route keeps
 * the one its context had when it was added) and the pressure limits (their hook must run before it).
 */
export const callRecordsRoute = fp(callRecordsRoutePlugin, {
  name: 'ingress-call-records-route',
  fastify: '5.x',
  encapsulate: true,
  dependencies: [ERROR_HANDLER_PLUGIN, PRESSURE_PLUGIN],
});
