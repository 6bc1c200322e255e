package dev.modelyard.server.device;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.metrics.CachedReading;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Gauges of the fleet: devices by status ({@code modelyard_devices}) and by how long ago they
 * were last seen ({@code modelyard_devices_by_last_seen}). Both come from one scan of the device
 * table (tens of milliseconds for 100,000 devices), read at most once per refresh interval.
 * Last-seen times reach the table in batches, so "seen" lags a poll by the flush interval.
 */
@ApplicationScoped
@Startup
public class DeviceMetrics {

    /** Exclusive buckets of the time since a device was last seen. */
    enum SeenAge {
        UNDER_5M(Duration.ofMinutes(5)), UNDER_1H(Duration.ofHours(1)), UNDER_24H(Duration.ofHours(24)), OVER_24H(null), NEVER(null);

        final Duration below;

        SeenAge(Duration below) {
            this.below = below;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Counts indexed by {@link DeviceStatus#ordinal()} and {@link SeenAge#ordinal()}. */
    record Counts(long[] byStatus, long[] byAge) {
        static final Counts NONE = new Counts(new long[DeviceStatus.values().length], new long[SeenAge.values().length]);
    }

    private final AgroalDataSource db;
    private final Clock clock;
    private final CachedReading<Counts> counts;

    public DeviceMetrics(AgroalDataSource db, Clock clock, ModelyardConfig config, MeterRegistry registry) {
        this.db = db;
        this.clock = clock;
        this.counts = new CachedReading<>("device counts", config.metrics().refreshInterval(), Counts.NONE, this::read);
        for (DeviceStatus s : DeviceStatus.values()) {
            Gauge.builder("modelyard.devices", counts, c -> c.get().byStatus()[s.ordinal()])
                    .description("Devices by status").tag("status", s.wireName()).strongReference(true).register(registry);
        }
        for (SeenAge a : SeenAge.values()) {
            Gauge.builder("modelyard.devices.by.last.seen", counts, c -> c.get().byAge()[a.ordinal()])
                    .description("Devices by time since their last poll: under_5m, under_1h, under_24h (exclusive), over_24h, never")
                    .tag("age", a.label()).strongReference(true).register(registry);
        }
    }

    private Counts read() {
        Instant now = clock.instant();
        long[] byStatus = new long[DeviceStatus.values().length];
        long[] byAge = new long[SeenAge.values().length];
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT status,
                       count(*) FILTER (WHERE last_seen_at >= ?),
                       count(*) FILTER (WHERE last_seen_at < ? AND last_seen_at >= ?),
                       count(*) FILTER (WHERE last_seen_at < ? AND last_seen_at >= ?),
                       count(*) FILTER (WHERE last_seen_at < ?),
                       count(*) FILTER (WHERE last_seen_at IS NULL)
                FROM device GROUP BY status""")) {
            Timestamp t5m = since(now, SeenAge.UNDER_5M);
            Timestamp t1h = since(now, SeenAge.UNDER_1H);
            Timestamp t24h = since(now, SeenAge.UNDER_24H);
            ps.setTimestamp(1, t5m);
            ps.setTimestamp(2, t5m);
            ps.setTimestamp(3, t1h);
            ps.setTimestamp(4, t1h);
            ps.setTimestamp(5, t24h);
            ps.setTimestamp(6, t24h);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long total = 0;
                    for (SeenAge a : SeenAge.values()) {
                        long n = rs.getLong(2 + a.ordinal());
                        byAge[a.ordinal()] += n;
                        total += n;
                    }
                    int i = statusIndex(rs.getString(1));
                    if (i >= 0) byStatus[i] += total;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return new Counts(byStatus, byAge);
    }

    private static Timestamp since(Instant now, SeenAge a) {
        return Timestamp.from(now.minus(a.below));
    }

    private static int statusIndex(String name) {
        try {
            return DeviceStatus.valueOf(name).ordinal();
        } catch (IllegalArgumentException e) {
            return -1; // a status a newer replica wrote: not shown here
        }
    }
}
