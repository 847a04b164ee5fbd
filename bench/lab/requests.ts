import type { HttpRequest } from '../load/http.ts';
import type { Lab } from './lab.ts';

/** The two requests the bench sends, as the HTTP API defines them (docs/topic-contract.md and docs/query-api.md). */
export function ingestRequest(lab: Lab, index: number, callId: string): HttpRequest {
  return {
    method: 'POST',
    path: `/v1/tenants/${lab.tenant.tenantId}/call-records`,
    headers: { authorization: `Bearer ${lab.tenant.ingestToken}`, 'content-type': 'application/json' },
    body: lab.payloads.body(index, callId),
  };
}

export function lookupRequest(lab: Lab, callId: string): HttpRequest {
  return {
    method: 'GET',
    path: `/v1/calls/${callId}`,
    headers: { 'x-commubo-tenantId': lab.tenant.tenantId, 'x-commubo-accessToken': lab.tenant.accessToken },
  };
}
