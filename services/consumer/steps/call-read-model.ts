import { contactKeyOf, customerIdFor } from '../../../shared/calls/customer-id.ts';

/**
 * The call-history read model of a call (migration 0007), from the rows flattenCall made of it: what the
 * lookup would otherwise recompute from its sessions and lines at every read. The SQL back-fill of
 * calls stored before 0007 (shared/db/backfills/call-read-model.ts) computes the same from stored rows;
 * a test holds the two to the same answer.
 */
interface FlatCall {
  tenant_id: string;
  call_id: string;
  contact_name: string | null;
  contact_mobile: string | null;
  contact_company_name: string | null;
  contact_remark: string | null;
  contact_variates: unknown[] | null;
  customer_number: string | null;
}

interface FlatInstance {
  instance_seq: number;
  robot_id: number | null;
  robot_name: string | null;
  robot_def_id: number | null;
}

interface FlatLine {
  instance_seq: number;
  started_at: string | null;
  match_type: number | null;
  match_name: string | null;
}

export interface CallReadModel {
  customer_id: string | null;
  has_instance: boolean;
  first_robot_id: number | null;
  first_robot_name: string | null;
  first_robot_def_id: number | null;
  has_dialogue_lines: boolean;
  first_line_at: string | null;
  check_point: string | null;
}

/** A hit: the line matched something (matchType present and not 10, "no match") under a non-empty name. */
const isHit = (line: FlatLine) => line.match_name !== null && line.match_name !== '' && line.match_type !== null && line.match_type !== 10;

function hasContact(call: FlatCall): boolean {
  return [call.contact_name, call.contact_mobile, call.contact_company_name, call.contact_remark, call.contact_variates].some(
    (value) => value !== null,
  );
}

/** `instances` and `lines` in callback order, as flattenCall makes them. */
export function callReadModel(call: FlatCall, instances: readonly FlatInstance[], lines: readonly FlatLine[]): CallReadModel {
  const first = instances[0];
  const lastSeq = instances.at(-1)?.instance_seq;
  const checkPoint = lines.findLast((line) => line.instance_seq === lastSeq && isHit(line));
  const key = contactKeyOf({ contactMobile: call.contact_mobile, customerNumber: call.customer_number, callId: call.call_id });
  return {
    customer_id: hasContact(call) ? customerIdFor(call.tenant_id, key) : null,
    has_instance: first !== undefined,
    first_robot_id: first?.robot_id ?? null,
    first_robot_name: first?.robot_name ?? null,
    first_robot_def_id: first?.robot_def_id ?? null,
    has_dialogue_lines: lines.length > 0,
    first_line_at: lines[0]?.started_at ?? null,
    check_point: checkPoint?.match_name ?? null,
  };
}
