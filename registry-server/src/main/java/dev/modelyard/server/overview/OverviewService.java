package dev.modelyard.server.overview;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.TenantDirectory;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's figures in at most four statements, each on an index or one pass over the
 * tenant's rows: device counts by state, installed versions per model, active rollouts with their
 * latest progress sample, the last failed actions with their last feedback message. The first two
 * count every device of the tenant: they are reused for {@link #CACHE_FOR} per tenant.
 *
 * <p>"Online" is what the device's last poll says: a device is online when it polled within
 * {@link #onlineWindow} (three poll intervals, at least five minutes, plus the delay with which
 * last-seen times are written) and its last action did not fail; a device whose last action failed
 * is counted as {@code error} whether or not it polls.
 */
@ApplicationScoped
public class OverviewService {

    /** Models shown in the distribution, most devices first; versions shown per model, the rest is "other". */
    static final int TOP_MODELS = 8;
    static final int TOP_VERSIONS = 5;
    static final int RECENT_FAILURES = 20;
    static final int ACTIVE_ROLLOUTS = 20;
    /**
     * How long a tenant's device counts and version distribution are reused: both count every device of
     * the tenant, and every open dashboard re-reads on live events. Invalidated by nothing: a figure may be
     * this much older than the answer's {@code at}. Shorter than the dashboard's 5 s between re-reads, so
     * one viewer's re-read after an event is never served the figures of its own previous read.
     */
    static final Duration CACHE_FOR = Duration.ofSeconds(3);

    private record Cached<T>(long at, T value) {
        boolean fresh(long now) {
            return now - at < CACHE_FOR.toNanos();
        }
    }

    private final Map<String, Cached<OverviewApi.Devices>> deviceCounts = new ConcurrentHashMap<>();
    private final Map<String, Cached<List<OverviewApi.ModelDistribution>>> distributions = new ConcurrentHashMap<>();

    private final AgroalDataSource db;
    private final TenantContext tenants;
    private final Clock clock;
    private final ObjectMapper json;
    private final ModelyardConfig config;
    private final TenantDirectory directory;

    public OverviewService(AgroalDataSource db, TenantContext tenants, Clock clock, ObjectMapper json, ModelyardConfig config,
                           TenantDirectory directory) {
        this.directory = directory;
        this.db = db;
        this.tenants = tenants;
        this.clock = clock;
        this.json = json;
        this.config = config;
    }

    /** How recently a device must have polled to count as online: its tenant's poll interval (or the server's) × 3, at least 5 min. */
    Duration onlineWindow(String tenant) {
        Duration interval = directory.find(tenant).map(TenantDirectory.Entry::pollingInterval).orElse(null);
        Duration three = (interval != null ? interval : config.ddi().pollingSleep()).multipliedBy(3);
        Duration floor = Duration.ofMinutes(5);
        return (three.compareTo(floor) > 0 ? three : floor).plus(config.ddi().lastSeenResolution());
    }

    public OverviewApi.Overview overview(boolean models, boolean rollouts) {
        String tenant = tenants.current();
        Instant now = clock.instant();
        try (Connection c = db.getConnection()) {
            return new OverviewApi.Overview(cachedDevices(c, tenant, now), models ? cachedDistribution(c, tenant) : null,
                    rollouts ? rollouts(c, tenant) : null, failures(c, tenant), now);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the overview: " + e.getMessage(), e);
        }
    }

    private OverviewApi.Devices cachedDevices(Connection c, String tenant, Instant now) throws SQLException {
        long t = System.nanoTime();
        Cached<OverviewApi.Devices> hit = deviceCounts.get(tenant);
        if (hit != null && hit.fresh(t)) return hit.value();
        OverviewApi.Devices read = devices(c, tenant, now);
        deviceCounts.put(tenant, new Cached<>(t, read));
        return read;
    }

    private List<OverviewApi.ModelDistribution> cachedDistribution(Connection c, String tenant) throws SQLException {
        long t = System.nanoTime();
        Cached<List<OverviewApi.ModelDistribution>> hit = distributions.get(tenant);
        if (hit != null && hit.fresh(t)) return hit.value();
        List<OverviewApi.ModelDistribution> read = distribution(c, tenant);
        distributions.put(tenant, new Cached<>(t, read));
        return read;
    }

    private OverviewApi.Devices devices(Connection c, String tenant, Instant now) throws SQLException {
        Duration window = onlineWindow(tenant);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*),
                       count(*) FILTER (WHERE status <> 'ERROR' AND last_seen_at >= ?),
                       count(*) FILTER (WHERE status <> 'ERROR' AND (last_seen_at IS NULL OR last_seen_at < ?)),
                       count(*) FILTER (WHERE status = 'ERROR')
                FROM device WHERE tenant = ?""")) {
            Timestamp since = Timestamp.from(now.minus(window));
            ps.setTimestamp(1, since);
            ps.setTimestamp(2, since);
            ps.setString(3, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new OverviewApi.Devices(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), window.toSeconds());
            }
        }
    }

    private List<OverviewApi.ModelDistribution> distribution(Connection c, String tenant) throws SQLException {
        Map<String, List<OverviewApi.VersionCount>> byModel = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT m.name, v.version, i.n FROM (
                    SELECT model_id, version_id, count(*) AS n FROM installed_model WHERE tenant = ? GROUP BY model_id, version_id
                ) i JOIN model m ON m.id = i.model_id JOIN model_version v ON v.id = i.version_id
                ORDER BY m.name, i.n DESC, v.sort_key DESC""")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byModel.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new OverviewApi.VersionCount(rs.getString(2), rs.getLong(3)));
                }
            }
        }
        List<OverviewApi.ModelDistribution> out = new ArrayList<>();
        byModel.forEach((model, versions) -> {
            long total = versions.stream().mapToLong(OverviewApi.VersionCount::devices).sum();
            List<OverviewApi.VersionCount> shown = versions.subList(0, Math.min(TOP_VERSIONS, versions.size()));
            long other = total - shown.stream().mapToLong(OverviewApi.VersionCount::devices).sum();
            out.add(new OverviewApi.ModelDistribution(model, total, List.copyOf(shown), other));
        });
        out.sort(Comparator.comparingLong(OverviewApi.ModelDistribution::devices).reversed()
                .thenComparing(OverviewApi.ModelDistribution::model));
        return List.copyOf(out.subList(0, Math.min(TOP_MODELS, out.size())));
    }

    private List<OverviewApi.ActiveRollout> rollouts(Connection c, String tenant) throws SQLException {
        List<OverviewApi.ActiveRollout> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT r.id, r.name, r.state, m.name, v.version, r.total_devices, r.spec, r.budget_base_executed, r.budget_base_failed,
                       coalesce(s.pending, 0), coalesce(s.running, 0), coalesce(s.succeeded, 0), coalesce(s.failed, 0),
                       coalesce(s.cancelled, 0)
                FROM rollout r JOIN model m ON m.id = r.model_id JOIN model_version v ON v.id = r.version_id
                LEFT JOIN LATERAL (
                    SELECT sum(pending) AS pending, sum(running) AS running, sum(succeeded) AS succeeded, sum(failed) AS failed,
                           sum(cancelled) AS cancelled
                    FROM (SELECT DISTINCT ON (x.phase) x.* FROM rollout_sample x WHERE x.rollout_id = r.id
                          ORDER BY x.phase, x.at DESC, x.id DESC) latest
                ) s ON true
                WHERE r.tenant = ? AND r.state IN ('waiting-for-approval', 'scheduled', 'running', 'paused', 'rolling-back')
                ORDER BY r.id DESC LIMIT ?""")) {
            ps.setString(1, tenant);
            ps.setInt(2, ACTIVE_ROLLOUTS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long succeeded = rs.getLong(12);
                    long failed = rs.getLong(13);
                    long executed = succeeded + failed - rs.getLong(8);
                    long failedSince = failed - rs.getLong(9);
                    Double allowed = maxFailurePct(rs.getString(7));
                    Double failedPct = executed > 0 ? round(100.0 * failedSince / executed) : 0.0;
                    Double burn = allowed == null ? null : allowed == 0 ? (failedSince > 0 ? 100.0 : 0.0) : round(100.0 * failedPct / allowed);
                    out.add(new OverviewApi.ActiveRollout(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), (Integer) rs.getObject(6), rs.getLong(10), rs.getLong(11), succeeded, failed,
                            rs.getLong(14), failedPct, allowed, burn));
                }
            }
        }
        return out;
    }

    private Double maxFailurePct(String spec) {
        if (spec == null) return null;
        try {
            JsonNode budget = json.readTree(spec).path("failureBudget");
            return budget.hasNonNull("maxFailurePct") ? budget.get("maxFailurePct").asDouble() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private List<OverviewApi.Failure> failures(Connection c, String tenant) throws SQLException {
        List<OverviewApi.Failure> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.id, d.controller_id, m.name, v.version, coalesce(last.message, a.reason), a.updated_at
                FROM (SELECT * FROM action WHERE tenant = ? AND status = 'ERROR' ORDER BY updated_at DESC, id DESC LIMIT ?) a
                JOIN device d ON d.id = a.device_id JOIN model m ON m.id = a.model_id JOIN model_version v ON v.id = a.version_id
                LEFT JOIN LATERAL (
                    SELECT s.messages ->> 0 AS message FROM action_status s
                    WHERE s.action_id = a.id AND jsonb_array_length(s.messages) > 0 ORDER BY s.id DESC LIMIT 1
                ) last ON true
                ORDER BY a.updated_at DESC, a.id DESC""")) {
            ps.setString(1, tenant);
            ps.setInt(2, RECENT_FAILURES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OverviewApi.Failure(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getTimestamp(6).toInstant()));
                }
            }
        }
        return out;
    }
}
