import { contactKeyOf, customerIdFor } from '../../shared/calls/customer-id.ts';
import { formatInstant } from '../../shared/local-time.ts';
import type { CallHistory } from './call-history-schema.ts';
import { connectResult, isConnected } from './connect-result.ts';
import type { CallSummaryRow } from './call-summary-sql.ts';

/** Maps a stored call to the seed-004 call-history object, as the mapping table of docs/query-api.md says. */
export interface Expand {
  customer: boolean;
  operator: boolean;
}

/** The single-call lookup answers in full; the list expands only what `expand` asks for. */
export const EXPAND_ALL: Expand = { customer: true, operator: true };

const CALL_TYPE_BY_WORKFLOW: Record<number, 0 | 1 | 2> = { 1: 0, 2: 1, 4: 1, 3: 2 };

/** A value worth reporting: empty strings are "no value", like null. */
function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== '';
}

export { customerIdFor };

function splitName(name: string): { familyName?: string; personalName?: string } {
  const trimmed = name.trim();
  const space = trimmed.search(/[ \u3000]/);
  if (space < 0) return { familyName: trimmed };
  const personalName = trimmed.slice(space + 1).trim();
  return { familyName: trimmed.slice(0, space), ...(personalName ? { personalName } : {}) };
}

function customerOf(row: CallSummaryRow, tenantId: string, timeZone: string, expand: boolean): CallHistory['customer'] {
  if (!row.has_contact) return undefined;
  const customerId =
    row.customer_id ??
    customerIdFor(tenantId, contactKeyOf({ contactMobile: row.contact_mobile, customerNumber: row.customer_number, callId: row.call_id }));
  if (!expand) return { customerId };
  const phoneNumbers = [...new Set([row.contact_mobile, row.customer_number].filter(present))].slice(0, 5);
  const created = row.contact_first_stored_at ?? row.received_at;
  const updated = row.contact_last_stored_at ?? row.received_at;
  return {
    customerId,
    createdDateTime: formatInstant(created, timeZone),
    updatedDateTime: formatInstant(updated, timeZone),
    ...(present(row.contact_name) ? splitName(row.contact_name) : {}),
    ...(phoneNumbers.length > 0 ? { phoneNumbers } : {}),
    ...(present(row.contact_company_name) ? { orgName: row.contact_company_name } : {}),
    ...(present(row.contact_remark) ? { note: row.contact_remark } : {}),
  };
}

function operatorOf(row: CallSummaryRow, expand: boolean): CallHistory['operator'] {
  if (!row.has_instance || row.robot_id === null) return undefined;
  const operatorId = String(row.robot_id);
  return expand && present(row.robot_name) ? { operatorId, name: row.robot_name } : { operatorId };
}

export function mapCallHistory(row: CallSummaryRow, tenantId: string, timeZone: string, expand = EXPAND_ALL): CallHistory {
  const facts = {
    callDuration: row.call_duration,
    hasDialogueLines: row.has_dialogue_lines,
    calledResult: row.called_result,
    hangupCause: row.hangup_cause,
  };
  const connected = isConnected(facts);
  const callType = CALL_TYPE_BY_WORKFLOW[row.workflow];
  const customer = customerOf(row, tenantId, timeZone, expand.customer);
  const operator = operatorOf(row, expand.operator);
  return {
    callId: row.call_id,
    ...(callType !== undefined ? { callType } : {}),
    ...(present(row.phone_number) ? { phoneNumber: row.phone_number } : {}),
    callDateTime: formatInstant(row.call_start_time, timeZone),
    ...(connected
      ? {
          connectedDateTime: formatInstant(row.first_line_at ?? row.call_start_time, timeZone),
          talkTime: row.call_duration,
        }
      : {}),
    connectResult: connectResult(facts),
    // The seed leaves checkPoint out when the call did not connect.
    ...(connected && present(row.check_point) ? { checkPoint: row.check_point } : {}),
    ...(customer ? { customer } : {}),
    ...(operator ? { operator } : {}),
    ...(row.has_instance && row.robot_def_id !== null ? { scenario: { scenarioId: String(row.robot_def_id) } } : {}),
    ...(present(row.remark) ? { note: row.remark } : {}),
  };
}
