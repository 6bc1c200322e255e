package dev.modelyard.server.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import dev.modelyard.server.config.ModelyardConfig;
import org.jboss.logging.Logger;

/**
 * Remembers when devices polled and writes it every few seconds in one statement, so a poll
 * never writes to the database; a device's time is written again only when it moved by
 * {@code modelyard.ddi.last-seen-resolution}. A device seen for the first time moves from unknown
 * to registered at the next flush.
 *
 * <p>Both what waits to be written and what was written are {@link LongTable}s of numbers: a poll
 * that records a time allocates nothing, so a million polling devices leave no garbage for the
 * collector to copy (boxed times in maps were most of what survived a young collection).
 */
@ApplicationScoped
public class LastSeen {

    private static final Logger LOG = Logger.getLogger(LastSeen.class);
    private static final int BATCH = 5000;

    /** Bounds the memory of what was written (about 40 bytes a device); devices not seen lately are forgotten first. */
    private static final int MAX_REMEMBERED = 2_000_000;
    private static final long NONE = Long.MIN_VALUE;

    /** Device id → the newest time seen and not written yet. */
    private final LongTable<Void> pending = LongTable.unboundedNumbers();
    /** Device id → the time this replica last wrote for it. */
    private final LongTable<Void> written = LongTable.boundedNumbers(MAX_REMEMBERED);
    private final AgroalDataSource db;
    private final long resolutionMillis;

    public LastSeen(AgroalDataSource db, ModelyardConfig config) {
        this.db = db;
        this.resolutionMillis = config.ddi().lastSeenResolution().toMillis();
    }

    public void record(long deviceId, Instant at) {
        record(deviceId, at.toEpochMilli());
    }

    /** As {@link #record(long, Instant)}, with the time in epoch milliseconds. */
    public void record(long deviceId, long t) {
        long last = written.getLong(deviceId, NONE);
        if (last != NONE && t - last < resolutionMillis) return;
        pending.accumulate(deviceId, t, Math::max);
    }

    @Scheduled(every = "${modelyard.ddi.last-seen-flush-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledFlush() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("writing device last-seen times failed; they will be written with the next batch", e);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("could not write device last-seen times at shutdown", e);
        }
    }

    /** Writes what was recorded since the last flush; returns how many devices were updated. */
    public synchronized int flush() {
        // What arrives meanwhile, and rows that were locked, wait for the next flush.
        long[] snapshot = pending.keys();
        int total = 0;
        for (int from = 0; from < snapshot.length; from += BATCH) {
            List<Long> ids = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (int i = from; i < Math.min(snapshot.length, from + BATCH); i++) {
                long t = pending.removeLong(snapshot[i], NONE);
                if (t == NONE) continue;
                ids.add(snapshot[i]);
                times.add(t);
            }
            if (ids.isEmpty()) continue;
            try {
                total += write(ids, times);
            } catch (SQLException e) {
                for (int i = 0; i < ids.size(); i++) pending.accumulate(ids.get(i), times.get(i), Math::max);
                throw new IllegalStateException("writing last-seen times failed", e);
            }
        }
        return total;
    }

    /**
     * Updates the rows it can lock now, in id order, and puts back the times of rows another
     * transaction holds (an assignment locks thousands of devices for a while): a last-seen time
     * never waits for, nor deadlocks with, the work that matters.
     */
    private int write(List<Long> ids, List<Long> times) throws SQLException {
        List<Long> done = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     WITH u AS (SELECT * FROM unnest(?::bigint[], ?::bigint[]) AS u(id, ms)),
                     free AS (SELECT d.id FROM device d JOIN u ON u.id = d.id ORDER BY d.id FOR NO KEY UPDATE OF d SKIP LOCKED)
                     UPDATE device d
                     SET last_seen_at = greatest(coalesce(d.last_seen_at, to_timestamp(u.ms / 1000.0)), to_timestamp(u.ms / 1000.0)),
                         status = CASE WHEN d.status = 'UNKNOWN' THEN 'REGISTERED' ELSE d.status END
                     FROM u JOIN free ON free.id = u.id
                     WHERE d.id = u.id
                     RETURNING d.id""")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray(Long[]::new)));
            ps.setArray(2, c.createArrayOf("bigint", times.toArray(Long[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) done.add(rs.getLong(1));
            }
        }
        remember(ids, times, done);
        if (done.size() < ids.size()) requeueLocked(ids, times, done);
        return done.size();
    }

    private void remember(List<Long> ids, List<Long> times, List<Long> done) {
        Set<Long> ok = new HashSet<>(done);
        for (int i = 0; i < ids.size(); i++) {
            if (ok.contains(ids.get(i))) written.accumulate(ids.get(i), times.get(i), Math::max);
        }
    }

    /** Rows skipped because they were locked go back; rows of deleted devices are forgotten. */
    private void requeueLocked(List<Long> ids, List<Long> times, List<Long> written) throws SQLException {
        Set<Long> done = new HashSet<>(written);
        Set<Long> existing = new HashSet<>();
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM device WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.stream().filter(id -> !done.contains(id)).toArray(Long[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) existing.add(rs.getLong(1));
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            if (existing.contains(ids.get(i))) pending.accumulate(ids.get(i), times.get(i), Math::max);
        }
    }
}
