-- Delta artifacts (#17): for a target artifact, a file that rebuilds it from a base file a device
-- holds (base_sha256), or from nothing (base_sha256 NULL: a compressed full download). The row is
-- also the build queue: PENDING rows are claimed with FOR UPDATE SKIP LOCKED by any replica's
-- builder (lease_until bounds a claim whose replica died), built from the blob store, and end
-- READY (offered to devices), USELESS (built but not small enough to be worth offering; kept so
-- it is not built again) or FAILED (after the attempts; error says why).
CREATE TABLE artifact_delta (
    id                 uuid        PRIMARY KEY,
    tenant             text        NOT NULL REFERENCES tenant (id),
    target_artifact_id uuid        NOT NULL REFERENCES artifact (id) ON DELETE CASCADE,
    -- The base by content: a device's file is known by its digest. base_artifact_id is lineage
    -- only (the artifact that had those bytes when the delta was requested).
    base_sha256        char(64),
    base_artifact_id   uuid        REFERENCES artifact (id) ON DELETE SET NULL,
    format             integer     NOT NULL DEFAULT 1,
    status             text        NOT NULL CHECK (status IN ('PENDING', 'BUILDING', 'READY', 'USELESS', 'FAILED')),
    -- Why it was requested: publication, assignment, demand (a device asked) or api.
    requested_by       text        NOT NULL,
    method             text,
    blob_sha256        char(64)    REFERENCES blob (sha256),
    size               bigint      CHECK (size >= 0),
    target_size        bigint      NOT NULL CHECK (target_size >= 0),
    build_millis       bigint      CHECK (build_millis >= 0),
    attempts           integer     NOT NULL DEFAULT 0,
    error              text,
    not_before         timestamptz NOT NULL DEFAULT now(),
    lease_until        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    built_at           timestamptz,
    CHECK (status <> 'READY' OR (blob_sha256 IS NOT NULL AND size IS NOT NULL AND method IS NOT NULL))
);
-- One delta per target and base (NULL: the compressed full file counts once too).
CREATE UNIQUE INDEX artifact_delta_pair_idx ON artifact_delta (target_artifact_id, COALESCE(base_sha256, ''));
-- The builders' queue.
CREATE INDEX artifact_delta_queue_idx ON artifact_delta (not_before) WHERE status IN ('PENDING', 'BUILDING');
-- The garbage collector asks whether a blob is still referenced.
CREATE INDEX artifact_delta_blob_idx ON artifact_delta (blob_sha256) WHERE blob_sha256 IS NOT NULL;
-- Deleting an artifact sets base_artifact_id to NULL in the rows naming it: without this index
-- every artifact delete would scan the whole table.
CREATE INDEX artifact_delta_base_artifact_idx ON artifact_delta (base_artifact_id) WHERE base_artifact_id IS NOT NULL;

-- How the device got the payload of an action (the feedback extension "modelyardTransfers"):
-- full, compressed or delta, the bytes it downloaded and what a full download would have cost.
ALTER TABLE action ADD COLUMN transfer_kind text CHECK (transfer_kind IN ('full', 'compressed', 'delta'));
ALTER TABLE action ADD COLUMN transfer_method text;
ALTER TABLE action ADD COLUMN transfer_bytes bigint CHECK (transfer_bytes >= 0);
ALTER TABLE action ADD COLUMN transfer_full_bytes bigint CHECK (transfer_full_bytes >= 0);
ALTER TABLE action ADD COLUMN transfer_fallback text;
