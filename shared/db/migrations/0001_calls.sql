-- Tenants and the flattened call records. Every key leads with tenant_id so the schema can be
-- distributed by tenant (e.g. Citus) unchanged. Integers from the callback are bigint: the sender may use
-- any value up to 2^53 and the ingress accepts exactly that range.

create table tenants (
  tenant_id uuid primary key,
  name text not null,
  timezone text not null default 'Asia/Tokyo',
  ingest_token_hash bytea not null,
  access_token_hash bytea not null,
  created_at timestamptz not null default now()
);

create table calls (
  tenant_id uuid not null references tenants,
  call_id text not null,
  workflow bigint not null,
  from_number text not null,
  to_number text not null,
  relay_number text not null,
  call_start_time timestamptz not null,
  call_end_time timestamptz not null,
  call_duration bigint not null,
  call_record_url text,
  customer_province text,
  customer_city text,
  router_id bigint,
  router_name text,
  transfer_agent_flag bigint,
  agent_id text,
  agent_name text,
  queue_id text,
  queue_name text,
  robot_names text[],
  label_infos text[],
  intention_label_key text,
  intention_label_name text,
  ad_task_id bigint,
  ad_task_name text,
  contact_name text,
  contact_mobile text,
  contact_company_name text,
  contact_remark text,
  contact_variates jsonb,
  call_result bigint,
  called_result bigint,
  agent_call_duration bigint,
  hangup_cause text,
  hangup_by bigint,
  customer_number text,
  remark text,
  task_contact_batch_name text,
  user_answered_flag bigint,
  user_answered_count bigint,
  user_answered_effective_count bigint,
  is_final_call bigint,
  gender text,
  -- The number of the other party, as the call-history API reports it.
  phone_number text generated always as (
    case when workflow = 1 then from_number else coalesce(customer_number, to_number) end
  ) stored,
  raw jsonb not null,
  event_id uuid not null,
  received_at timestamptz not null,
  source_partition integer not null,
  source_offset bigint not null,
  primary key (tenant_id, call_id)
);

create index calls_by_start_time on calls (tenant_id, call_start_time, call_id);
create index calls_by_phone_number on calls (tenant_id, phone_number, call_start_time);
create index calls_by_campaign on calls (tenant_id, ad_task_id, call_start_time) where ad_task_id is not null;
create index calls_by_contact_mobile on calls (tenant_id, contact_mobile, received_at) where contact_mobile is not null;

-- One bot dialogue session of a call, in the order the callback lists them.
create table call_instances (
  tenant_id uuid not null,
  call_id text not null,
  instance_seq integer not null,
  instance_id bigint,
  robot_id bigint,
  robot_def_id bigint,
  robot_name text,
  dialogue_start_time timestamptz,
  dialogue_end_time timestamptz,
  dialogue_duration bigint,
  dialogue_record_url text,
  dialogue_round bigint,
  intention_label_key text,
  intention_label_name text,
  primary key (tenant_id, call_id, instance_seq),
  foreign key (tenant_id, call_id) references calls on delete cascade
);

-- One line said in a dialogue session; seq is its position in dialogueContentList.
create table dialogue_lines (
  tenant_id uuid not null,
  call_id text not null,
  instance_seq integer not null,
  seq integer not null,
  instance_id bigint,
  robot_id bigint,
  robot_def_id bigint,
  dialogue_role bigint,
  started_at timestamptz,
  content text,
  record_url text,
  match_type bigint,
  match_result text,
  match_name text,
  primary key (tenant_id, call_id, instance_seq, seq),
  foreign key (tenant_id, call_id, instance_seq) references call_instances on delete cascade
);

-- Tags: the call's labelInfos (instance_seq null) and each session's labelInfoList.
create table call_labels (
  tenant_id uuid not null,
  call_id text not null,
  label_seq integer not null,
  instance_seq integer,
  name text,
  primary key (tenant_id, call_id, label_seq),
  foreign key (tenant_id, call_id) references calls on delete cascade
);
create index call_labels_by_name on call_labels (tenant_id, name);

create table call_variables (
  tenant_id uuid not null,
  call_id text not null,
  seq integer not null,
  name text,
  value text,
  primary key (tenant_id, call_id, seq),
  foreign key (tenant_id, call_id) references calls on delete cascade
);

create table call_recordings (
  tenant_id uuid not null,
  call_id text not null,
  seq integer not null,
  record_url text,
  record_type text,
  primary key (tenant_id, call_id, seq),
  foreign key (tenant_id, call_id) references calls on delete cascade
);
