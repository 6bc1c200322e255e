-- Several replicas on one database (#16 part 5).
--
-- lease: one row per background pass that must run on one replica at a time (garbage
-- collection, signing renewal, the upload sweep, later git sync). Holding the pass is a
-- PostgreSQL session advisory lock, which the database releases when the holder's connection
-- ends (a crashed replica never keeps it); this row only records who ran the pass last and when,
-- so a replica skips a pass another one has just done, and operators can see it.
CREATE TABLE IF NOT EXISTS lease (
    key         text PRIMARY KEY,
    holder      text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    runs        bigint      NOT NULL DEFAULT 0
);

-- Which replica is appending to a resumable upload right now, renewed while it appends: a second
-- append to the same session, on any replica, is refused (concurrent-request) until the claim is
-- released or goes stale (its replica died).
ALTER TABLE upload_session ADD COLUMN IF NOT EXISTS appending_by text;
ALTER TABLE upload_session ADD COLUMN IF NOT EXISTS appending_at timestamptz;
