-- A revoked version also leaves the poll answer of devices that have it installed (their
-- installedBase link moves to the model version installed before, or goes away): bump their
-- state version too, so every replica's cached answer follows.
CREATE OR REPLACE FUNCTION cancel_actions_of_revoked_version() RETURNS trigger AS $$
BEGIN
    IF NEW.status = 'REVOKED' AND OLD.status <> 'REVOKED' THEN
        WITH canceled AS (
            UPDATE action SET status = 'CANCELING', updated_at = now()
            WHERE version_id = NEW.id AND active AND status <> 'CANCELING'
            RETURNING id, device_id
        ), history AS (
            INSERT INTO action_status (action_id, type, messages, occurred_at, reported_at)
            SELECT id, 'canceling', jsonb_build_array('Version ' || NEW.version || ' was revoked; the device is asked to cancel'),
                   now(), now()
            FROM canceled
        )
        UPDATE device SET state_version = state_version + 1
        WHERE id IN (SELECT device_id FROM canceled
                     UNION SELECT device_id FROM installed_model WHERE version_id = NEW.id);
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
