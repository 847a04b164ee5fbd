import { z } from 'zod';

/**
 * What the call-history object needs about a call, read in the same statement as the call itself:
 * its first bot session, its first dialogue line, its checkpoint and, when asked for, when its contact
 * was first and last stored (a per-contact aggregate that the unexpanded list does without).
 * Rows are parsed with zod so that a drifting schema fails loudly.
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

const CONTACT_DATES = `
  left join lateral (
    select min(other.received_at) as first_stored_at, max(other.received_at) as last_stored_at
    from calls other
    where other.tenant_id = c.tenant_id and other.contact_mobile = c.contact_mobile
  ) contact on c.contact_mobile is not null`;

const NO_CONTACT_DATES = `
  left join lateral (
    select null::timestamptz as first_stored_at, null::timestamptz as last_stored_at
  ) contact on false`;

/**
 * `select … from calls c` with every join the summary needs; the caller appends its where and order by.
 * The contact is judged by its stored columns, so the raw jsonb is never read (nor detoasted) here.
 */
export function callSummarySelect(options: { withContactDates: boolean }): string {
  return `select c.call_id, c.workflow, c.phone_number, c.call_start_time,
       to_char(c.call_start_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as position_time,
       c.call_duration, c.called_result, c.hangup_cause, c.remark, c.received_at, c.customer_number,
       c.contact_name, c.contact_mobile, c.contact_company_name, c.contact_remark,
       (c.contact_name is not null or c.contact_mobile is not null or c.contact_company_name is not null
        or c.contact_remark is not null or c.contact_variates is not null) as has_contact,
       contact.first_stored_at as contact_first_stored_at,
       contact.last_stored_at as contact_last_stored_at,
       first_instance.robot_id, first_instance.robot_name, first_instance.robot_def_id,
       first_instance.instance_seq is not null as has_instance,
       first_line.seq is not null as has_dialogue_lines,
       first_line.started_at as first_line_at,
       check_point.match_name as check_point
  from calls c
  left join lateral (
    select i.instance_seq, i.robot_id, i.robot_name, i.robot_def_id
    from call_instances i
    where i.tenant_id = c.tenant_id and i.call_id = c.call_id
    order by i.instance_seq limit 1
  ) first_instance on true
  left join lateral (
    select l.seq, l.started_at
    from dialogue_lines l
    where l.tenant_id = c.tenant_id and l.call_id = c.call_id
    order by l.instance_seq, l.seq limit 1
  ) first_line on true
  left join lateral (
    select l.match_name
    from dialogue_lines l
    where l.tenant_id = c.tenant_id and l.call_id = c.call_id
      and l.instance_seq = (
        select max(i.instance_seq) from call_instances i where i.tenant_id = c.tenant_id and i.call_id = c.call_id
      )
      and l.match_name <> '' and l.match_type is not null and l.match_type <> 10
    order by l.seq desc limit 1
  ) check_point on true${options.withContactDates ? CONTACT_DATES : NO_CONTACT_DATES}`;
}
