-- Analytics starter views (docs/analytics.md). Days are calendar days in the tenant's own timezone,
-- the way the tenant reads its call times. Views hold no data: they always show the current rows.
-- Sums are bigint; averages are numeric rounded to two decimals.

-- One row per call with the derived fields the other views group by.
-- "Connected" is the README's (Call results): the call lasted, and a dialogue took place or the platform says connected.
create view analytics_calls as
select
  c.tenant_id,
  c.call_id,
  (c.call_start_time at time zone t.timezone)::date as call_date,
  c.call_start_time,
  c.workflow,
  c.call_result,
  c.called_result,
  c.call_duration > 0 and (
    c.called_result = 2
    or exists (select 1 from dialogue_lines l where l.tenant_id = c.tenant_id and l.call_id = c.call_id)
  ) as connected,
  c.call_duration,
  c.hangup_cause,
  c.intention_label_key,
  c.intention_label_name,
  c.ad_task_id,
  c.ad_task_name
from calls c
join tenants t on t.tenant_id = c.tenant_id;

-- Calls per day by result.
create view analytics_calls_per_day as
select
  tenant_id,
  call_date,
  workflow,
  connected,
  called_result,
  call_result,
  count(*) as calls,
  sum(call_duration)::bigint as total_call_seconds
from analytics_calls
group by tenant_id, call_date, workflow, connected, called_result, call_result;

-- Intent-grade distribution per day (a null grade is a call the bot did not grade).
create view analytics_intent_grades as
select
  tenant_id,
  call_date,
  intention_label_key,
  intention_label_name,
  count(*) as calls
from analytics_calls
group by tenant_id, call_date, intention_label_key, intention_label_name;

-- Dialogue rounds and duration per bot scenario (robot definition) and day of the call.
create view analytics_scenario_dialogues as
select
  i.tenant_id,
  c.call_date,
  i.robot_def_id,
  i.robot_name,
  count(*) as sessions,
  sum(i.dialogue_round)::bigint as total_rounds,
  round(avg(i.dialogue_round), 2) as avg_rounds,
  max(i.dialogue_round) as max_rounds,
  sum(i.dialogue_duration)::bigint as total_dialogue_seconds,
  round(avg(i.dialogue_duration), 2) as avg_dialogue_seconds
from call_instances i
join analytics_calls c on c.tenant_id = i.tenant_id and c.call_id = i.call_id
group by i.tenant_id, c.call_date, i.robot_def_id, i.robot_name;
