-- Every replica caches poll answers and device tokens. It learns which devices changed from these
-- notifications, sent when the transaction commits: the device id, followed by ':t' when its
-- token changed or the device was deleted. Notifications with the same payload in one
-- transaction arrive once.
CREATE FUNCTION notify_device_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.token_hash IS DISTINCT FROM NEW.token_hash THEN
        PERFORM pg_notify('modelyard_device', OLD.id::text || ':t');
    ELSE
        PERFORM pg_notify('modelyard_device', OLD.id::text);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER device_changed AFTER UPDATE OF state_version, token_hash ON device
    FOR EACH ROW
    WHEN (OLD.state_version IS DISTINCT FROM NEW.state_version OR OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION notify_device_change();

CREATE TRIGGER device_deleted AFTER DELETE ON device
    FOR EACH ROW EXECUTE FUNCTION notify_device_change();
