-- The audit trail: one entry per state-changing management call (see the audit package).
-- Append-only: a trigger refuses UPDATE and DELETE (TRUNCATE too), so that only someone who can
-- disable triggers (a superuser, the table's owner) can change history, and then the hash chain
-- shows it: each entry's hash covers the previous entry's hash and its own content
-- (wire's dev.modelyard.wire.audit.AuditChain), per tenant.
CREATE TABLE audit_entry (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant       text        NOT NULL,
    seq          bigint      NOT NULL CHECK (seq >= 1),
    at           timestamptz NOT NULL,
    actor_id     uuid,
    actor_name   text        NOT NULL,
    action       text        NOT NULL,
    target_type  text,
    target_id    text,
    before       jsonb,
    after        jsonb,
    outcome      integer     NOT NULL CHECK (outcome BETWEEN 100 AND 599),
    request_id   text        NOT NULL,
    source       text,
    prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash         text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    CONSTRAINT audit_entry_seq_uq UNIQUE (tenant, seq)
);
CREATE INDEX audit_entry_at ON audit_entry (tenant, at);
CREATE INDEX audit_entry_request ON audit_entry (request_id);

CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_entry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();

CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
