-- Erasure of calls (npm run cli -- erase calls): what an erasure leaves behind is a tombstone per erased
-- call and one audit row, neither holding personal data in clear.

-- A tombstone makes the erasure newer than every delivery received before it: the consumer skips a
-- delivery of the call whose received_at is not after erased_at (a redelivery, a replay of the topic), and
-- stores one received later as usual. Erasing the call again moves erased_at forward.
create table call_tombstones (
  tenant_id uuid not null references tenants,
  call_id text not null,
  erased_at timestamptz not null,
  primary key (tenant_id, call_id)
);

-- One row per erasure: who, when, by what kind of selector, the selector as HMAC-SHA-256 under
-- ERASURE_HASH_KEY (so that a request can be matched to its erasure without the number or call id being
-- stored), and the rows deleted per table.
create table erasures (
  erasure_id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants,
  erased_at timestamptz not null,
  selector_kind text not null constraint erasures_selector_kind check (selector_kind in ('call-id', 'phone-number')),
  selector_hash bytea not null constraint erasures_selector_hash check (length(selector_hash) = 32),
  calls bigint not null,
  call_instances bigint not null,
  dialogue_lines bigint not null,
  call_labels bigint not null,
  call_variables bigint not null,
  call_recordings bigint not null
);

create index erasures_by_tenant on erasures (tenant_id, erased_at);
