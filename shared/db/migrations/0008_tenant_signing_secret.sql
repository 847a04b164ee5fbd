-- A tenant's callback signing secret (npm run cli -- tenants set … --signing-secret generate|none): when set,
-- the ingress takes a callback only with a Callstream-Signature header whose HMAC-SHA256 over
-- "<timestamp>.<raw body>" is made with it (README "Signed callbacks"); null: no signature is required.
-- Stored as the text the operator was shown, not hashed like the tokens: an HMAC can only be checked with
-- the key itself. A reader of this table can sign for a tenant, but not send: the ingest token is still
-- required, and only its hash is here. Backups and read access to this table are to be guarded as such.
-- previous_signing_secret: the secret a rotation replaced, still accepted until its expiry (the grace
--   period), as the previous tokens of migration 0004; null when none is.
alter table tenants
  add column signing_secret text,
  add column previous_signing_secret text,
  add column previous_signing_secret_expires_at timestamptz,
  add constraint tenants_previous_signing_secret
    check ((previous_signing_secret is null) = (previous_signing_secret_expires_at is null)),
  add constraint tenants_previous_signing_secret_replaced
    check (previous_signing_secret is null or signing_secret is not null);
