-- What a rollout adds to the actions it creates: the rollout they belong to (its table and the
-- foreign key come with the rollout migration), the maintenance window the update step waits for,
-- and for a rollback the signed authorization that lets a device install the older release.

ALTER TABLE action
    ADD COLUMN rollout_id bigint,
    -- A cron expression (5 fields, as crontab), how long each window lasts, and the time zone it is
    -- read in: an IANA zone name, or null for the zone the device reports (UTC when it reports none).
    ADD COLUMN maintenance_schedule text,
    ADD COLUMN maintenance_duration_seconds integer CHECK (maintenance_duration_seconds > 0),
    ADD COLUMN maintenance_zone text,
    -- The signed envelope (JSON) of a rollback authorization for exactly this action's release.
    ADD COLUMN rollback_authorization text,
    ADD CONSTRAINT maintenance_window_complete
        CHECK ((maintenance_schedule IS NULL) = (maintenance_duration_seconds IS NULL));

CREATE INDEX action_rollout_idx ON action (rollout_id, id) WHERE rollout_id IS NOT NULL;
