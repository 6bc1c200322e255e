-- Tenants: teams that share one server without seeing each other. Every tenant-owned row names
-- its tenant; the server scopes every query by it. Existing data belongs to tenant 'default'.
CREATE TABLE tenant (
    id                 text        PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    enabled            boolean     NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL,
    created_by         text,
    updated_at         timestamptz NOT NULL,
    -- Settings; null means the server-wide configuration applies.
    -- SHA-256 of the tenant's DDI gateway token (the default tenant also accepts the configured one).
    gateway_token_hash char(64),
    gateway_token_hint text,
    -- ISO-8601 duration devices are told to wait between polls.
    polling_interval   text,
    max_upload_bytes   bigint      CHECK (max_upload_bytes > 0),
    -- The tenant's own release key (Ed25519 PKCS#8), AES-GCM encrypted under a key derived from the
    -- server's release key, so every replica sharing that key can read it. Null: the server's key.
    release_key        text
);
INSERT INTO tenant (id, name, created_at, updated_at, created_by) VALUES ('default', 'Default', now(), now(), 'migration');

ALTER TABLE model              ADD CONSTRAINT model_tenant_fk              FOREIGN KEY (tenant) REFERENCES tenant (id);
ALTER TABLE device             ADD CONSTRAINT device_tenant_fk             FOREIGN KEY (tenant) REFERENCES tenant (id);
ALTER TABLE conversion_profile ADD CONSTRAINT conversion_profile_tenant_fk FOREIGN KEY (tenant) REFERENCES tenant (id);
ALTER TABLE conversion_job     ADD CONSTRAINT conversion_job_tenant_fk     FOREIGN KEY (tenant) REFERENCES tenant (id);
ALTER TABLE target_filter      ADD CONSTRAINT target_filter_tenant_fk      FOREIGN KEY (tenant) REFERENCES tenant (id);

-- Every other tenant-owned table gets the column; ADD COLUMN with a default backfills existing rows.
-- blob and blob_digest stay shared: they are content-addressed storage (the key is the content's
-- digest), never listed to a caller, and reached only through a tenant's artifact rows; sharing them
-- lets two tenants that upload the same bytes store them once.
ALTER TABLE api_token          ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE trust_root         ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE publisher_key      ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE model_version      ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE model_alias        ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE model_label        ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE artifact           ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE artifact_release   ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE upload_session     ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE device_tag         ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE action             ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE action_status      ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE installed_model    ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);
ALTER TABLE conversion_job_log ADD COLUMN tenant text NOT NULL DEFAULT 'default' REFERENCES tenant (id);

-- Backfill from the owner, so a database that somehow already holds rows of other tenants is right too.
UPDATE model_version v SET tenant = m.tenant FROM model m WHERE m.id = v.model_id AND v.tenant <> m.tenant;
UPDATE model_alias a SET tenant = m.tenant FROM model m WHERE m.id = a.model_id AND a.tenant <> m.tenant;
UPDATE model_label l SET tenant = m.tenant FROM model m WHERE m.id = l.model_id AND l.tenant <> m.tenant;
UPDATE artifact a SET tenant = v.tenant FROM model_version v WHERE v.id = a.version_id AND a.tenant <> v.tenant;
UPDATE artifact_release r SET tenant = a.tenant FROM artifact a WHERE a.id = r.artifact_id AND r.tenant <> a.tenant;
UPDATE upload_session s SET tenant = v.tenant FROM model_version v WHERE v.id = s.version_id AND s.tenant <> v.tenant;
UPDATE device_tag t SET tenant = d.tenant FROM device d WHERE d.id = t.device_id AND t.tenant <> d.tenant;
UPDATE action a SET tenant = d.tenant FROM device d WHERE d.id = a.device_id AND a.tenant <> d.tenant;
UPDATE action_status s SET tenant = a.tenant FROM action a WHERE a.id = s.action_id AND s.tenant <> a.tenant;
UPDATE installed_model i SET tenant = d.tenant FROM device d WHERE d.id = i.device_id AND i.tenant <> d.tenant;
UPDATE conversion_job_log l SET tenant = j.tenant FROM conversion_job j WHERE j.id = l.job_id AND l.tenant <> j.tenant;

-- Rows of collection tables (labels, tags) are written by the ORM as part of their owner, which
-- does not know the column, and set-based SQL writes actions, their history and installed models:
-- all of them take their owner's tenant, whatever the writer says.
CREATE FUNCTION tenant_of_owner() RETURNS trigger AS $$
BEGIN
    EXECUTE format('SELECT tenant FROM %I WHERE id = $1', TG_ARGV[0]) INTO NEW.tenant
        USING (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER model_label_tenant BEFORE INSERT ON model_label
    FOR EACH ROW EXECUTE FUNCTION tenant_of_owner('model', 'model_id');
CREATE TRIGGER device_tag_tenant BEFORE INSERT ON device_tag
    FOR EACH ROW EXECUTE FUNCTION tenant_of_owner('device', 'device_id');
CREATE TRIGGER action_status_tenant BEFORE INSERT ON action_status
    FOR EACH ROW EXECUTE FUNCTION tenant_of_owner('action', 'action_id');
CREATE TRIGGER action_tenant BEFORE INSERT ON action
    FOR EACH ROW EXECUTE FUNCTION tenant_of_owner('device', 'device_id');
CREATE TRIGGER installed_model_tenant BEFORE INSERT ON installed_model
    FOR EACH ROW EXECUTE FUNCTION tenant_of_owner('device', 'device_id');
CREATE TRIGGER conversion_job_log_tenant BEFORE INSERT ON conversion_job_log
    FOR EACH ROW EXECUTE FUNCTION tenant_of_owner('conversion_job', 'job_id');

-- Names that were unique server-wide are unique per tenant. Token hashes stay unique server-wide:
-- a token is looked up by its hash before its tenant is known.
ALTER TABLE trust_root DROP CONSTRAINT trust_root_pkey, ADD PRIMARY KEY (tenant, version);
ALTER TABLE publisher_key DROP CONSTRAINT publisher_key_name_key, ADD CONSTRAINT publisher_key_name_uq UNIQUE (tenant, name);
ALTER TABLE publisher_key DROP CONSTRAINT publisher_key_key_id_key, ADD CONSTRAINT publisher_key_key_id_uq UNIQUE (tenant, key_id);
CREATE INDEX api_token_tenant_idx ON api_token (tenant, created_at);
DROP INDEX device_tag_tag_idx;
CREATE INDEX device_tag_tag_idx ON device_tag (tenant, tag);
DROP INDEX model_label_kv_idx;
CREATE INDEX model_label_kv_idx ON model_label (tenant, key, value);
CREATE INDEX model_version_tenant_idx ON model_version (tenant, id);
CREATE INDEX artifact_tenant_idx ON artifact (tenant, number);
