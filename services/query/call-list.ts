import type { Tenant } from '../../shared/tenants/repository.ts';
import type { CallHistory } from './call-history-schema.ts';
import type { CallsRepository } from './calls-repository.ts';
import { dayRange, expandOf, type ListCallsQuery, type ListPosition } from './list-params.ts';
import { mapCallHistory } from './map-call-history.ts';

/**
 * The calls a list request asks for, in keyset order, one at a time: each mapped and paired with its
 * position for the next cursor. connectResult is derived here (its
 * table lives in code), so that filter applies as rows stream by; the others narrow the SQL.
 */
export interface ListedCall {
  call: CallHistory;
  position: ListPosition;
}

export async function* listCalls(calls: CallsRepository, tenant: Tenant, query: ListCallsQuery): AsyncGenerator<ListedCall> {
  const { from, to } = dayRange(query.start, query.end, tenant.timezone);
  const expand = expandOf(query.expand);
  const rows = calls.streamCalls({
    tenantId: tenant.tenantId,
    from,
    to,
    phoneNumber: query.phoneNumber,
    campaignId: query.campaignId,
    after: query.cursor,
    withContactDates: expand.customer,
  });
  for await (const row of rows) {
    const call = mapCallHistory(row, tenant.tenantId, tenant.timezone, expand);
    if (query.connectResult && call.connectResult !== query.connectResult) continue;
    yield { call, position: { time: row.position_time, callId: row.call_id } };
  }
}
