package dev.modelyard.server.device;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The per-device state version: bumped in the transaction of every change to what a device's
 * poll answers, and read with one primary-key lookup per poll, so a cached answer is reused only
 * while it is current, on every replica.
 */
@ApplicationScoped
public class DeviceState {

    /** The row's current version and token hash (null for gateway-only devices). */
    public record Current(long version, String tokenHash) {
    }

    private final AgroalDataSource db;
    private final EntityManager em;
    private final DeviceChangeFeed feed;

    public DeviceState(AgroalDataSource db, EntityManager em, DeviceChangeFeed feed) {
        this.db = db;
        this.em = em;
        this.feed = feed;
    }

    /** Reads outside any transaction (autocommit, one round trip). Empty when the device is gone. */
    public Optional<Current> read(long deviceId) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state_version, token_hash FROM device WHERE id = ?")) {
            ps.setLong(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Current(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading device state failed", e);
        }
    }

    /** Marks the device's poll answer as changed; call inside the transaction making the change. */
    public void bump(long deviceId) {
        em.createNativeQuery("UPDATE device SET state_version = state_version + 1 WHERE id = ?1")
                .setParameter(1, deviceId).executeUpdate();
        feed.changedInThisTransaction(deviceId);
    }
}
