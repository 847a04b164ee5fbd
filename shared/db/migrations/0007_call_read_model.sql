-- The call-history read model: what GET /v1/calls/{callId} needs about a call's sessions and lines,
-- written with the call by the consumer, and when each contact was first and last stored, kept in
-- contacts. A lookup then reads the call row and, expanded, its contact row: no session, line or
-- per-contact aggregate at read time.
--
-- The new columns are left null by this file; calls stored before it are back-filled in batches right
-- after it (shared/db/backfills/call-read-model.ts), each batch its own transaction.

alter table calls
  -- The contact as the call-history API identifies it (customerId): a UUID made of SHA-256 over the
  -- tenant and the contact's number (shared/calls/customer-id.ts); null when the call has no contact.
  add column customer_id uuid,
  -- The first bot session (call_instances.instance_seq = 1), null fields when there is none.
  add column has_instance boolean,
  add column first_robot_id bigint,
  add column first_robot_name text,
  add column first_robot_def_id bigint,
  -- The first dialogue line in order (session, then line), and whether there is one.
  add column has_dialogue_lines boolean,
  add column first_line_at timestamptz,
  -- In the last session, the matchName of the last line with a non-empty matchName and a hit.
  add column check_point text;

-- When a call with the contact was first and last stored: the least and greatest received_at over the
-- contact's stored calls, recomputed by every writer that adds, changes or removes one of them
-- (shared/calls/contacts.ts). No personal data in clear: the key is the derived customer id.
create table contacts (
  tenant_id uuid not null references tenants,
  customer_id uuid not null,
  first_stored_at timestamptz not null,
  last_stored_at timestamptz not null,
  primary key (tenant_id, customer_id)
);

-- What the contacts' recomputation reads (a min and a max, two index probes per contact). It replaces
-- the index by contact mobile, which only the per-contact aggregate of the lookup used.
create index calls_by_customer on calls (tenant_id, customer_id, received_at) where customer_id is not null;
drop index calls_by_contact_mobile;

-- The lookup by call id: a hash index finds the call in one bucket page (its metapage stays cached per
-- connection) where the primary key's B-tree takes three levels past some 20,000 calls; the contact the
-- same way. Measured with EXPLAIN (ANALYZE, BUFFERS) at 20,000 calls: 4 shared buffers per lookup against 7
-- through the primary keys. The primary keys stay: the upserts need them.
create index calls_by_call_id on calls using hash (call_id);
create index contacts_by_customer_id on contacts using hash (customer_id);

-- The raw callback is most of a call's bytes; lz4 compresses it about as well as pglz at a fraction of
-- the CPU (new and rewritten values only: existing ones keep their compression until rewritten).
alter table calls alter column raw set compression lz4;
