-- Custom roles: a tenant's own named sets of permissions, beside the built-in roles (which are
-- code, not rows, so that their names stay reserved and their permissions follow the server).
CREATE TABLE custom_role (
    id          uuid        PRIMARY KEY,
    tenant      text        NOT NULL DEFAULT 'default',
    name        text        NOT NULL,
    description text,
    -- A JSON array of "resource:action" strings.
    permissions jsonb       NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text,
    updated_at  timestamptz NOT NULL,
    UNIQUE (tenant, name)
);

-- A token's role is now a role name: a built-in one (lower case, as the API spells it) or a custom
-- role of the token's tenant.
ALTER TABLE api_token DROP CONSTRAINT api_token_role_check;
UPDATE api_token SET role = lower(replace(role, '_', '-'));

-- A glob over model names (e.g. 'vision-*'); null: every model.
ALTER TABLE api_token ADD COLUMN scope text;
