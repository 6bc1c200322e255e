-- Signing and trust: per-model release counters, signed metadata per released artifact, the
-- root metadata chain, and publisher keys.

ALTER TABLE model ADD COLUMN release_counter bigint NOT NULL DEFAULT 0;
ALTER TABLE model_version ADD COLUMN release_counter bigint;
ALTER TABLE model_version ADD CONSTRAINT released_has_counter CHECK (status = 'DRAFT' OR release_counter IS NOT NULL);

-- The signed metadata of a released artifact, kept as the exact text served to devices.
CREATE TABLE artifact_release (
    artifact_id uuid        PRIMARY KEY REFERENCES artifact (id),
    key_id      char(64)    NOT NULL,
    envelope    text        NOT NULL,
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX artifact_release_expiry_idx ON artifact_release (expires_at);

-- Root metadata versions, each verified against the previous one before it is stored.
CREATE TABLE trust_root (
    version    integer     PRIMARY KEY CHECK (version >= 1),
    envelope   text        NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text
);

-- Keys publishers may sign their uploads with.
CREATE TABLE publisher_key (
    id         uuid PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    key_id     char(64)    NOT NULL UNIQUE,
    public_key text        NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text,
    revoked_at timestamptz
);
