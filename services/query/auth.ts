import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantAuthenticator } from '../../shared/tenants/authenticator.ts';
import { sendError } from '../../shared/http/error-codes.ts';
import { requestSpan } from '../../shared/tracing/http-tracing.ts';

/**
 * commubo's tenant headers. A missing header, an unknown tenant and a wrong token take the same path
 * (the authenticator looks the id up, caches the answer either way and compares against a dummy hash
 * for an unknown tenant) and get the same 403, so neither the answer nor its cost says which tenants exist.
 */
export function commuboAuth(tenants: TenantAuthenticator) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    // Answers are per tenant, chosen by headers a shared cache would not key on.
    reply.header('cache-control', 'private, no-cache');
    const tenantId = request.headers['x-commubo-tenantid'];
    const token = request.headers['x-commubo-accesstoken'];
    const authentication = await tenants.authenticate(
      typeof tenantId === 'string' ? tenantId : '',
      typeof token === 'string' ? token : '',
      'access',
    );
    // Said only to a client with the right token: the tenant exists, and its operator switched it off.
    if (authentication.outcome === 'disabled') return sendError(reply, 'TENANT_DISABLED', 'this tenant is disabled');
    if (authentication.outcome !== 'authenticated') return sendError(reply, 'FORBIDDEN', 'unknown tenant or wrong access token');
    request.tenant = authentication.tenant;
    requestSpan(request).setAttribute('callstream.tenant_id', authentication.tenant.tenantId);
  };
}
