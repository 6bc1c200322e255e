-- Which staging directory holds a resumable upload's bytes (written with its first append), so
-- that a replica starting after a crash removes only the sessions whose bytes it held and lost,
-- never another replica's.
ALTER TABLE upload_session ADD COLUMN staging_id text;
CREATE INDEX upload_session_staging_idx ON upload_session (staging_id) WHERE staging_id IS NOT NULL;
