\set i random(0, :calls - 1)
select c.call_id, c.workflow, c.phone_number, c.call_start_time, c.call_duration, c.called_result,
                c.hangup_cause, c.remark, c.received_at, c.customer_number,
                c.contact_name, c.contact_mobile, c.contact_company_name, c.contact_remark,
                c.raw ? 'contactDetailRel' and jsonb_typeof(c.raw -> 'contactDetailRel') = 'object' as has_contact,
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
         ) check_point on true
         left join lateral (
           select min(other.received_at) as first_stored_at, max(other.received_at) as last_stored_at
           from calls other
           where other.tenant_id = c.tenant_id and other.contact_mobile = c.contact_mobile
         ) contact on c.contact_mobile is not null
         where c.tenant_id = :tenant::uuid and c.call_id = :prefix::text || lpad(to_hex(:i::bigint), 12, '0');
