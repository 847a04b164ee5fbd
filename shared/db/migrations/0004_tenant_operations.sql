-- What an operator changes on a tenant after creating it (npm run cli -- tenants …).
-- status: a disabled tenant's senders and API clients are refused; its rows stay.
-- retention_days: how long its calls are kept, counted from callStartTime; null keeps them for ever.
--   bigint like every other count the tables hold (only positions the consumer numbers itself are narrower).
-- previous_*_token_hash: the token a rotation replaced, still accepted until its expiry (the grace
--   period), so senders and clients can switch over without a window of refusals; null when none is.
alter table tenants
  add column status text not null default 'active'
    constraint tenants_status check (status in ('active', 'disabled')),
  add column retention_days bigint
    constraint tenants_retention_days check (retention_days between 1 and 36500),
  add column previous_ingest_token_hash bytea,
  add column previous_ingest_token_expires_at timestamptz,
  add column previous_access_token_hash bytea,
  add column previous_access_token_expires_at timestamptz,
  add constraint tenants_previous_ingest_token
    check ((previous_ingest_token_hash is null) = (previous_ingest_token_expires_at is null)),
  add constraint tenants_previous_access_token
    check ((previous_access_token_hash is null) = (previous_access_token_expires_at is null));
