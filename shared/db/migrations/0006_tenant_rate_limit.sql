-- A tenant's own rate limit at the ingress (npm run cli -- tenants set … --rate-per-second --burst);
-- null: the configured default (TENANT_RATE_PER_SECOND, TENANT_BURST).
-- rate_per_second: callbacks per second its token bucket refills; 0: unlimited.
-- burst: callbacks its bucket holds, i.e. how many may come at once.
--   bigint like every other count the tables hold.
alter table tenants
  add column rate_per_second bigint
    constraint tenants_rate_per_second check (rate_per_second between 0 and 1000000000),
  add column burst bigint
    constraint tenants_burst check (burst between 1 and 1000000000);
