import { z } from 'zod';

/**
 * What the call-history object needs about a call, read in one statement: the call's row (with its
 * first bot session, first dialogue line and checkpoint, stored with it) and, when asked for, its
 * contact's row (when the contact was first and last stored), which the unexpanded list does without.
 */
export const callSummaryRow = z.object({
  call_id: z.string(),
  workflow: z.number(),
  phone_number: z.string().nullable(),
  call_start_time: z.date(),
  /** call_start_time to the microsecond, as the keyset cursor carries it. */
  position_time: z.string(),
  call_duration: z.number(),
  called_result: z.number().nullable(),
  hangup_cause: z.string().nullable(),
  remark: z.string().nullable(),
  received_at: z.date(),
  customer_number: z.string().nullable(),
  contact_name: z.string().nullable(),
  contact_mobile: z.string().nullable(),
  contact_company_name: z.string().nullable(),
  contact_remark: z.string().nullable(),
  has_contact: z.boolean(),
  /** The stored customer id (migration 0007); the mapper derives it when a row has none. */
  customer_id: z.string().nullable().optional(),
  contact_first_stored_at: z.date().nullable(),
  contact_last_stored_at: z.date().nullable(),
  robot_id: z.number().nullable(),
  robot_name: z.string().nullable(),
  robot_def_id: z.number().nullable(),
  has_instance: z.boolean(),
  has_dialogue_lines: z.boolean(),
  first_line_at: z.date().nullable(),
  check_point: z.string().nullable(),
});

export type CallSummaryRow = z.output<typeof callSummaryRow>;

/**
 * `select … from calls c` and, when the contact's dates are asked for, its contacts row; the caller
 * appends its where and order by. Everything else the object needs was stored with the call by the
 * consumer (migration 0007's read model): no session, line or other call is read here, and the raw
 * jsonb is never read (nor detoasted).
 */
export function callSummarySelect(options: { withContactDates: boolean }): string {
  const contactDates = options.withContactDates
    ? 'contact.first_stored_at as contact_first_stored_at, contact.last_stored_at as contact_last_stored_at'
    : 'null::timestamptz as contact_first_stored_at, null::timestamptz as contact_last_stored_at';
  const contactJoin = options.withContactDates
    ? '\n  left join contacts contact on contact.tenant_id = c.tenant_id and contact.customer_id = c.customer_id'
    : '';
  return `select c.call_id, c.workflow, c.phone_number, c.call_start_time,
       to_char(c.call_start_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position_time,
       c.call_duration, c.called_result, c.hangup_cause, c.remark, c.received_at, c.customer_number,
       c.contact_name, c.contact_mobile, c.contact_company_name, c.contact_remark,
       c.customer_id is not null as has_contact, c.customer_id,
       ${contactDates},
       c.first_robot_id as robot_id, c.first_robot_name as robot_name, c.first_robot_def_id as robot_def_id,
       c.has_instance, c.has_dialogue_lines, c.first_line_at, c.check_point
  from calls c${contactJoin}`;
}
