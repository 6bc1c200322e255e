package dev.modelyard.server.device;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Remembers when devices polled and writes it every few seconds in one statement, so a poll
 * never writes to the database. A device seen for the first time moves from unknown to registered.
 */
@ApplicationScoped
public class LastSeen {

    private static final Logger LOG = Logger.getLogger(LastSeen.class);
    private static final int BATCH = 5000;

    private final Map<Long, Long> pending = new ConcurrentHashMap<>();
    private final AgroalDataSource db;

    public LastSeen(AgroalDataSource db) {
        this.db = db;
    }

    public void record(long deviceId, Instant at) {
        pending.merge(deviceId, at.toEpochMilli(), Math::max);
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
        int total = 0;
        while (!pending.isEmpty()) {
            List<Long> ids = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (Long id : List.copyOf(pending.keySet())) {
                Long t = pending.remove(id);
                if (t == null) continue;
                ids.add(id);
                times.add(t);
                if (ids.size() == BATCH) break;
            }
            if (ids.isEmpty()) break;
            try {
                total += write(ids, times);
            } catch (SQLException e) {
                for (int i = 0; i < ids.size(); i++) pending.merge(ids.get(i), times.get(i), Math::max);
                throw new IllegalStateException("writing last-seen times failed", e);
            }
        }
        return total;
    }

    private int write(List<Long> ids, List<Long> times) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE device d
                     SET last_seen_at = greatest(coalesce(d.last_seen_at, to_timestamp(u.ms / 1000.0)), to_timestamp(u.ms / 1000.0)),
                         status = CASE WHEN d.status = 'UNKNOWN' THEN 'REGISTERED' ELSE d.status END
                     FROM unnest(?::bigint[], ?::bigint[]) AS u(id, ms)
                     WHERE d.id = u.id""")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray(Long[]::new)));
            ps.setArray(2, c.createArrayOf("bigint", times.toArray(Long[]::new)));
            return ps.executeUpdate();
        }
    }
}
