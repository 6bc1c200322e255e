package dev.modelyard.server.lease;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Runs a background pass on one replica at a time. The rules:
 * <ul>
 *   <li>Holding key K is a PostgreSQL session advisory lock on K's hash, taken with
 *       {@code pg_try_advisory_lock} on a connection of its own for the length of the pass. It is
 *       never waited for: a replica that does not get it skips the pass, because another one is
 *       doing it. The database ends the lock with the connection, so a replica that crashes or
 *       loses the network mid-pass never keeps the others from running it.</li>
 *   <li>The {@code lease} row of K records the holder and when the last pass started and
 *       finished. A pass asked for with {@code every} is skipped when any replica finished one
 *       less than half of {@code every} ago, so replicas that all schedule the pass every
 *       {@code every} do it about once per interval between them, not once each.</li>
 *   <li>The pass itself uses its own transactions (the lock is not transactional). Work that
 *       fits in one transaction may instead take {@code pg_try_advisory_xact_lock} inside it.</li>
 *   <li>Session advisory locks need a direct connection, or a pooler in session mode: a
 *       transaction-mode pooler (PgBouncer's default) would hand the lock to another client.</li>
 * </ul>
 */
@ApplicationScoped
public class Leases {

    private static final Logger LOG = Logger.getLogger(Leases.class);

    private final AgroalDataSource db;
    private final Replica replica;

    public Leases(AgroalDataSource db, Replica replica) {
        this.db = db;
        this.replica = replica;
    }

    /** A pass that runs under a lease; it may throw, which ends the pass and lets it run again soon. */
    @FunctionalInterface
    public interface Pass {
        void run() throws Exception;
    }

    /**
     * Runs {@code pass} if this replica holds the lease for {@code key} now and no replica finished
     * the pass within half of {@code every} ({@link Duration#ZERO}: no such rule). Returns whether
     * it ran; a pass that throws is reported by rethrowing, and counts as not run.
     */
    public boolean runIfHolder(String key, Duration every, Pass pass) throws Exception {
        try (Connection c = db.getConnection()) {
            if (!lock(c, "SELECT pg_try_advisory_lock(hashtextextended(?, 0))", key)) {
                LOG.debugf("lease %s is held by another replica: skipping the pass", key);
                return false;
            }
            try {
                if (ranWithin(c, key, every.dividedBy(2))) {
                    LOG.debugf("lease %s: another replica ran the pass moments ago", key);
                    return false;
                }
                update(c, """
                        INSERT INTO lease (key, holder, started_at) VALUES (?, ?, now())
                        ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, started_at = excluded.started_at""",
                        key, replica.id());
                pass.run();
                update(c, "UPDATE lease SET finished_at = now(), runs = runs + 1 WHERE key = ? AND holder = ?", key, replica.id());
                return true;
            } finally {
                lock(c, "SELECT pg_advisory_unlock(hashtextextended(?, 0))", key);
            }
        }
    }

    /**
     * A scheduler interval as the settings write it ({@code 15m}, {@code 10s}, {@code PT1H}, {@code 1d})
     * as a duration, for {@link #runIfHolder}'s {@code every}.
     */
    public static Duration every(String interval) {
        String s = interval.strip().toUpperCase(java.util.Locale.ROOT);
        if (s.startsWith("P")) return Duration.parse(s);
        if (s.endsWith("D")) return Duration.parse("P" + s);
        return Duration.parse("PT" + s);
    }

    /** The name advisory locks of leases are taken on, so they cannot meet another feature's lock. */
    private static String lockName(String key) {
        return "modelyard.lease:" + key;
    }

    private static boolean lock(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, lockName(key));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static boolean ranWithin(Connection c, String key, Duration window) throws SQLException {
        if (window.isZero()) return false;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM lease WHERE key = ? AND finished_at > now() - ? * interval '1 millisecond'")) {
            ps.setString(1, key);
            ps.setLong(2, window.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void update(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
            ps.executeUpdate();
        }
    }
}
