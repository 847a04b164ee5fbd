-- The other party's number: an empty customerNumber is no number, so it falls back to toNumber like a
-- missing one does. Postgres 15 cannot change a generated column's expression in place.
drop index calls_by_phone_number;
alter table calls drop column phone_number;
alter table calls add column phone_number text generated always as (
  case when workflow = 1 then from_number else coalesce(nullif(customer_number, ''), to_number) end
) stored;
create index calls_by_phone_number on calls (tenant_id, phone_number, call_start_time);
