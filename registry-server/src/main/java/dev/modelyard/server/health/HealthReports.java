package dev.modelyard.server.health;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.wire.ddi.ServingHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hibernate.Session;

/**
 * The serving health devices report with their actions' feedback, stored and summed up. One row
 * per action and model holds the newest report: a device re-sends its running figures during the
 * health window, and only the latest describe the version.
 */
@ApplicationScoped
public class HealthReports {

    /** A phase's summary in one statement: sums, and medians over the reporting actions (nulls left out). */
    static final String SUMMARY = """
            SELECT count(DISTINCT device_id), coalesce(sum(requests), 0), coalesce(sum(errors), 0),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY p50_ms),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY p99_ms),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY p99_ratio),
                   count(DISTINCT device_id) FILTER (WHERE self_test = 'passed'),
                   count(DISTINCT device_id) FILTER (WHERE self_test = 'failed')
            FROM action_health WHERE tenant = ? AND action_id = ANY(?)""";

    private static final String UPSERT = """
            INSERT INTO action_health (action_id, model, tenant, device_id, version, replaced_version, served_seconds,
                requests, errors, p50_ms, p99_ms, baseline_p99_ms, p99_ratio, self_test, complete, reported_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (action_id, model) DO UPDATE SET device_id = excluded.device_id, version = excluded.version,
                replaced_version = excluded.replaced_version, served_seconds = excluded.served_seconds,
                requests = excluded.requests, errors = excluded.errors, p50_ms = excluded.p50_ms, p99_ms = excluded.p99_ms,
                baseline_p99_ms = excluded.baseline_p99_ms, p99_ratio = excluded.p99_ratio, self_test = excluded.self_test,
                complete = excluded.complete, reported_at = excluded.reported_at
            WHERE action_health.tenant = excluded.tenant""";

    private static final String LATEST = """
            SELECT model, version, replaced_version, served_seconds, requests, errors, p50_ms, p99_ms, baseline_p99_ms,
                   p99_ratio, self_test, complete, reported_at
            FROM action_health WHERE tenant = ? AND action_id = ? ORDER BY model""";

    private final EntityManager em;
    private final TenantContext tenants;
    private final Counter reports;

    public HealthReports(EntityManager em, TenantContext tenants, MeterRegistry registry) {
        this.em = em;
        this.tenants = tenants;
        this.reports = Counter.builder("modelyard.device.health.reports")
                .description("Serving health reports devices sent with their feedback and this replica stored").register(registry);
    }

    /**
     * The figures a device reported with its feedback on an action of {@code actionModel} at
     * {@code actionVersion}: checked, then stored as the action's newest for each model. Throws
     * {@link ErrorCode#INVALID_FIELD} for figures that cannot be (negative, not a number, more
     * errors than requests), another model than the action's, or another version than the
     * action's (figures of the old version would gate the rollout of the new one); nothing is
     * stored then. Call in the feedback's transaction.
     */
    public void record(long actionId, long deviceId, String actionModel, String actionVersion, List<ServingHealth> health,
                       Instant reportedAt) {
        if (health == null || health.isEmpty()) return;
        check(actionModel, actionVersion, health);
        String tenant = tenants.current();
        em.unwrap(Session.class).doWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (ServingHealth h : health) {
                    bindUpsert(ps, actionId, tenant, deviceId, h, reportedAt);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
        reports.increment(health.size());
    }

    /** The newest report of each model of the action, by model name; empty when the device sent none. Call in a transaction. */
    public List<ActionHealthView> latest(long actionId) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(LATEST)) {
                ps.setString(1, tenants.current());
                ps.setLong(2, actionId);
                List<ActionHealthView> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(view(rs));
                }
                return out;
            }
        });
    }

    /** The health reported for these actions (their newest report each). Call in a transaction. */
    public PhaseHealth summarize(Collection<Long> actionIds) {
        if (actionIds == null || actionIds.isEmpty()) return PhaseHealth.NONE;
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(SUMMARY)) {
                ps.setString(1, tenants.current());
                ps.setArray(2, c.createArrayOf("bigint", actionIds.toArray(Long[]::new)));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return summary(rs);
                }
            }
        });
    }

    private static void check(String actionModel, String actionVersion, List<ServingHealth> health) {
        Set<String> seen = new HashSet<>();
        for (ServingHealth h : health) {
            if (h == null) throw invalid("modelyardHealth: an entry is null");
            List<String> problems = h.problems();
            if (!problems.isEmpty()) throw invalid(String.join("; ", problems));
            if (!h.model().equals(actionModel)) {
                throw invalid("modelyardHealth.model: '" + h.model() + "' is not the action's model '" + actionModel + "'");
            }
            if (!h.version().equals(actionVersion)) {
                throw invalid("modelyardHealth.version: '" + h.version() + "' is not the action's version '" + actionVersion
                        + "' of " + actionModel);
            }
            if (!seen.add(h.model())) throw invalid("modelyardHealth.model: '" + h.model() + "' is reported twice");
        }
    }

    private static DomainException invalid(String message) {
        return DomainException.of(ErrorCode.INVALID_FIELD, message);
    }

    private static void bindUpsert(PreparedStatement ps, long actionId, String tenant, long deviceId, ServingHealth h,
                                   Instant reportedAt) throws SQLException {
        ps.setLong(1, actionId);
        ps.setString(2, h.model());
        ps.setString(3, tenant);
        ps.setLong(4, deviceId);
        ps.setString(5, h.version());
        ps.setString(6, h.replacedVersion());
        ps.setLong(7, h.servedSeconds());
        ps.setLong(8, h.requests());
        ps.setLong(9, h.errors());
        setDouble(ps, 10, h.p50Ms());
        setDouble(ps, 11, h.p99Ms());
        setDouble(ps, 12, h.baselineP99Ms());
        setDouble(ps, 13, h.p99Ratio());
        ps.setString(14, ServingHealth.SelfTest.parse(h.selfTest()).wireName());
        ps.setBoolean(15, h.complete());
        ps.setTimestamp(16, Timestamp.from(reportedAt));
    }

    private static void setDouble(PreparedStatement ps, int index, Double value) throws SQLException {
        if (value == null) ps.setNull(index, Types.DOUBLE);
        else ps.setDouble(index, value);
    }

    private static Double getDouble(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    private static ActionHealthView view(ResultSet rs) throws SQLException {
        long requests = rs.getLong(5);
        long errors = rs.getLong(6);
        return new ActionHealthView(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), requests, errors,
                requests == 0 ? null : (double) errors / requests, getDouble(rs, 7), getDouble(rs, 8), getDouble(rs, 9),
                getDouble(rs, 10), rs.getString(11), rs.getBoolean(12), rs.getTimestamp(13).toInstant());
    }

    private static PhaseHealth summary(ResultSet rs) throws SQLException {
        long requests = rs.getLong(2);
        long errors = rs.getLong(3);
        return new PhaseHealth(rs.getInt(1), requests, errors, requests == 0 ? null : (double) errors / requests,
                getDouble(rs, 4), getDouble(rs, 5), getDouble(rs, 6), rs.getInt(7), rs.getInt(8));
    }
}
