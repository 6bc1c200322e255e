-- A device token is unique within its tenant, not across tenants: the DDI path names the tenant,
-- so a token is looked up by (tenant, token_hash). A global index would make a chosen token that
-- another tenant already uses fail with a conflict, telling one tenant about another's tokens.
ALTER TABLE device DROP CONSTRAINT device_token_hash_key;
CREATE UNIQUE INDEX device_tenant_token_hash_key ON device (tenant, token_hash);
