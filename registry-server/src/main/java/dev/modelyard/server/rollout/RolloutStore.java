package dev.modelyard.server.rollout;

import dev.modelyard.server.deployment.DeploymentApi;
import dev.modelyard.server.deployment.DeploymentService;
import dev.modelyard.server.devicefilter.DeviceFilter;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hibernate.Session;
import org.hibernate.jdbc.ReturningWork;

/**
 * The rollout tables in set-based SQL: selecting a phase's devices, counting states, batches to
 * assign, samples and events. Every statement names the tenant (native SQL is not scoped by the
 * ORM). Call in a transaction.
 */
@ApplicationScoped
class RolloutStore {

    /**
     * A device's state in its rollout. While its action is open the row says only 'assigned' (or
     * 'rolling-back'), and the action decides: finished (download-only: downloaded and closed) is
     * success, an error or a cancel by the device or by a newer assignment is failure, anything
     * else (proceeding included) is still running. A device whose action the rollout canceled is
     * cancelled once the device confirmed; until then it is running, and if it refused and
     * finished the update it succeeded (a rollback then handles it).
     */
    static final String STATE = """
            CASE rd.state
                WHEN 'assigned' THEN CASE
                    WHEN a.status = 'FINISHED' OR (a.status = 'DOWNLOADED' AND NOT a.active) THEN 'succeeded'
                    WHEN a.status IS NULL OR a.status IN ('ERROR', 'CANCELED') THEN 'failed'
                    ELSE 'running' END
                WHEN 'cancelled' THEN CASE
                    WHEN a.status = 'FINISHED' OR (a.status = 'DOWNLOADED' AND NOT a.active) THEN 'succeeded'
                    WHEN a.active THEN 'running'
                    ELSE 'cancelled' END
                WHEN 'rolling-back' THEN CASE
                    WHEN rb.status = 'FINISHED' THEN 'rolled-back'
                    WHEN rb.status IN ('ERROR', 'CANCELED') THEN 'rollback-failed'
                    ELSE 'rolling-back' END
                ELSE rd.state END""";

    static final String FROM = """
            rollout_device rd LEFT JOIN action a ON a.id = rd.action_id LEFT JOIN action rb ON rb.id = rd.rollback_action_id""";

    private final EntityManager em;
    private final TenantContext tenants;
    private final LiveEvents live;

    RolloutStore(EntityManager em, TenantContext tenants, LiveEvents live) {
        this.live = live;
        this.em = em;
        this.tenants = tenants;
    }

    String tenant() {
        return tenants.current();
    }

    private <T> T jdbc(ReturningWork<T> work) {
        em.flush();
        return em.unwrap(Session.class).doReturningWork(work);
    }

    /** Locks the rollout for this transaction, or false at once when another step holds it. */
    boolean claim(long rolloutId) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM rollout WHERE id = ? AND tenant = ? FOR UPDATE SKIP LOCKED")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Locks the rollout for this transaction, waiting for a step that holds it (API operations). */
    void lock(long rolloutId) {
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM rollout WHERE id = ? AND tenant = ? FOR UPDATE")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                ps.executeQuery().close();
            }
            return null;
        });
    }

    /** Devices that run the rollout's version already are not selected: there is nothing to give them, or to roll back. */
    private static final String NOT_ON_TARGET = " AND NOT EXISTS (SELECT 1 FROM installed_model t WHERE t.device_id = d.id AND t.version_id = ?)";

    /**
     * Adds up to {@code limit} devices that match the filter, are not yet in the rollout and do
     * not run its version already to the phase as pending, in id order, with the version of the
     * model each runs now.
     */
    int select(long rolloutId, int phase, long modelId, long versionId, DeviceFilter filter, int limit, Instant now) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO rollout_device (rollout_id, device_id, tenant, phase, state, previous_version_id, updated_at)
                    SELECT ?, d.id, d.tenant, ?, 'pending',
                           (SELECT i.version_id FROM installed_model i WHERE i.device_id = d.id AND i.model_id = ?), ?
                    FROM device d
                    WHERE d.tenant = ? AND (""" + filter.sql() + """
                    ) AND NOT EXISTS (SELECT 1 FROM rollout_device x WHERE x.rollout_id = ? AND x.device_id = d.id)""" + NOT_ON_TARGET + """
                    ORDER BY d.id LIMIT ?""")) {
                ps.setLong(1, rolloutId);
                ps.setInt(2, phase);
                ps.setLong(3, modelId);
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setString(5, tenants.current());
                int i = filter.bind(c, ps, 6);
                ps.setLong(i++, rolloutId);
                ps.setLong(i++, versionId);
                ps.setLong(i, limit);
                return ps.executeUpdate();
            }
        });
    }

    /** Adds one device to the phase as pending (a dynamic join); false when it is in the rollout already. */
    boolean join(long rolloutId, int phase, long modelId, long versionId, long deviceId, Instant now) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO rollout_device (rollout_id, device_id, tenant, phase, state, previous_version_id, updated_at)
                    SELECT ?, d.id, d.tenant, ?, 'pending',
                           (SELECT i.version_id FROM installed_model i WHERE i.device_id = d.id AND i.model_id = ?), ?
                    FROM device d WHERE d.id = ? AND d.tenant = ?""" + NOT_ON_TARGET + """
                    ON CONFLICT (rollout_id, device_id) DO NOTHING""")) {
                ps.setLong(1, rolloutId);
                ps.setInt(2, phase);
                ps.setLong(3, modelId);
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setLong(5, deviceId);
                ps.setString(6, tenants.current());
                ps.setLong(7, versionId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    long members(long rolloutId) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM rollout_device WHERE rollout_id = ? AND tenant = ?")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Counts per phase and state: one aggregate over the rollout's devices and their actions. */
    Map<Integer, RolloutApi.Counts> counts(long rolloutId) {
        return jdbc(c -> {
            Map<Integer, long[]> raw = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT rd.phase, " + STATE + " AS s, count(*) FROM " + FROM
                    + " WHERE rd.rollout_id = ? AND rd.tenant = ? GROUP BY 1, 2")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long[] n = raw.computeIfAbsent(rs.getInt(1), k -> new long[8]);
                        int slot = switch (rs.getString(2)) {
                            case "pending" -> 0;
                            case "running" -> 1;
                            case "succeeded" -> 2;
                            case "failed" -> 3;
                            case "cancelled" -> 4;
                            case "rolling-back" -> 5;
                            case "rolled-back" -> 6;
                            default -> 7;
                        };
                        n[slot] += rs.getLong(3);
                    }
                }
            }
            Map<Integer, RolloutApi.Counts> out = new TreeMap<>();
            raw.forEach((phase, n) -> out.put(phase, new RolloutApi.Counts(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7])));
            return out;
        });
    }

    /** Up to {@code n} pending devices of the phase, in id order. */
    List<Long> pending(long rolloutId, int phase, int n) {
        return longs("""
                SELECT device_id FROM rollout_device WHERE rollout_id = ? AND tenant = ? AND phase = ? AND state = 'pending'
                ORDER BY device_id LIMIT ?""", rolloutId, tenants.current(), phase, n);
    }

    /**
     * The transfer figures of the rollout's actions in one aggregate over the action table's
     * rollout index: however many devices, one statement.
     */
    DeploymentApi.TransferTotals transfers(long rolloutId) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + DeploymentApi.TransferTotals.SUMS
                    + " FROM action WHERE rollout_id = ? AND tenant = ? AND transfer_kind IS NOT NULL")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return DeploymentApi.TransferTotals.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6));
                }
            }
        });
    }

    /** The actions of the phase's devices (for its health). */
    List<Long> actions(long rolloutId, int phase) {
        return longs("SELECT action_id FROM rollout_device WHERE rollout_id = ? AND tenant = ? AND phase = ? AND action_id IS NOT NULL",
                rolloutId, tenants.current(), phase);
    }

    /** Records each device's action; devices that are gone since they were selected are cancelled. */
    void assigned(long rolloutId, List<Long> asked, List<DeploymentService.DeviceOutcome> outcomes, Instant now) {
        jdbc(c -> {
            Long[] devices = outcomes.stream().map(DeploymentService.DeviceOutcome::deviceId).toArray(Long[]::new);
            Long[] actions = outcomes.stream().map(DeploymentService.DeviceOutcome::actionId).toArray(Long[]::new);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE rollout_device rd SET state = 'assigned', action_id = u.action_id, updated_at = ?
                    FROM unnest(?::bigint[], ?::bigint[]) AS u(device_id, action_id)
                    WHERE rd.rollout_id = ? AND rd.tenant = ? AND rd.device_id = u.device_id""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setArray(2, c.createArrayOf("bigint", devices));
                ps.setArray(3, c.createArrayOf("bigint", actions));
                ps.setLong(4, rolloutId);
                ps.setString(5, tenants.current());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE rollout_device SET state = 'cancelled', reason = 'the device was not found when it was assigned', updated_at = ?
                    WHERE rollout_id = ? AND tenant = ? AND device_id = ANY(?) AND state = 'pending'""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setLong(2, rolloutId);
                ps.setString(3, tenants.current());
                ps.setArray(4, c.createArrayOf("bigint", asked.toArray(Long[]::new)));
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Devices never assigned become cancelled, with the reason. */
    int cancelPending(long rolloutId, String reason, Instant now) {
        return update("UPDATE rollout_device SET state = 'cancelled', reason = ?, updated_at = ? WHERE rollout_id = ? AND tenant = ? AND state = 'pending'",
                reason, Timestamp.from(now), rolloutId, tenants.current());
    }

    /**
     * Up to {@code n} open forward actions of the rollout (those its devices were given, reused
     * ones included) that are not being canceled yet; not locked (see {@link #stillOpen}). The
     * rollout's rollback actions are not among them.
     */
    List<Long> openActions(long rolloutId, int n) {
        return longs("""
                SELECT a.id FROM rollout_device rd JOIN action a ON a.id = rd.action_id
                WHERE rd.rollout_id = ? AND rd.tenant = ? AND a.tenant = rd.tenant AND a.active AND a.status <> 'CANCELING'
                ORDER BY a.device_id LIMIT ?""", rolloutId, tenants.current(), n);
    }

    /**
     * Of these actions, those still open and not being canceled, with their devices locked first
     * (in the order device feedback locks them) so none closes before this transaction cancels it.
     */
    List<Long> stillOpen(List<Long> actionIds) {
        if (actionIds.isEmpty()) return actionIds;
        longs("SELECT d.id FROM device d WHERE d.tenant = ? AND d.id IN (SELECT device_id FROM action WHERE id = ANY(?)) ORDER BY d.id FOR UPDATE",
                tenants.current(), actionIds.toArray(Long[]::new));
        return longs("SELECT id FROM action WHERE tenant = ? AND id = ANY(?) AND active AND status <> 'CANCELING' ORDER BY id",
                tenants.current(), actionIds.toArray(Long[]::new));
    }

    /** Marks the devices of these actions cancelled by the rollout. */
    void cancelledActions(long rolloutId, List<Long> actionIds, String reason, Instant now) {
        update("UPDATE rollout_device SET state = 'cancelled', reason = ?, updated_at = ? WHERE rollout_id = ? AND tenant = ? AND action_id = ANY(?)",
                reason, Timestamp.from(now), rolloutId, tenants.current(), actionIds.toArray(Long[]::new));
    }

    /** A device a rollback has to handle: it runs, or is being given, the rollout's version. */
    record Touched(long deviceId, Long previousVersionId, Long actionId, boolean open) {
    }

    /**
     * Up to {@code n} devices that no rollback handled yet and that are still being given the
     * rollout's version (their action is open) or run it now (their action succeeded and the
     * version is what the device has installed; a device that moved on to another version since
     * is left alone).
     */
    List<Touched> touched(long rolloutId, long versionId, int n) {
        return jdbc(c -> {
            List<Touched> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT rd.device_id, rd.previous_version_id, rd.action_id, "
                    + STATE + " FROM " + FROM + " WHERE rd.rollout_id = ? AND rd.tenant = ? AND rd.state IN ('assigned', 'cancelled') AND "
                    + STATE + " IN ('succeeded', 'running') AND (a.active OR EXISTS (SELECT 1 FROM installed_model i"
                    + " WHERE i.device_id = rd.device_id AND i.version_id = ?)) ORDER BY rd.device_id LIMIT ?")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                ps.setLong(3, versionId);
                ps.setInt(4, n);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Touched(rs.getLong(1), (Long) rs.getObject(2), (Long) rs.getObject(3),
                                "running".equals(rs.getString(4))));
                    }
                }
            }
            return out;
        });
    }

    /** Records the rollback of devices: its action, or (null action) that it could not be done and why. */
    void rolledBack(long rolloutId, Map<Long, Long> rollbackActions, Map<Long, String> failures, Instant now) {
        jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE rollout_device rd SET state = 'rolling-back', rollback_action_id = u.action_id, updated_at = ?
                    FROM unnest(?::bigint[], ?::bigint[]) AS u(device_id, action_id)
                    WHERE rd.rollout_id = ? AND rd.tenant = ? AND rd.device_id = u.device_id""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setArray(2, c.createArrayOf("bigint", rollbackActions.keySet().toArray(Long[]::new)));
                ps.setArray(3, c.createArrayOf("bigint", rollbackActions.values().toArray(Long[]::new)));
                ps.setLong(4, rolloutId);
                ps.setString(5, tenants.current());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE rollout_device rd SET state = 'rollback-failed', reason = u.reason, updated_at = ?
                    FROM unnest(?::bigint[], ?::text[]) AS u(device_id, reason)
                    WHERE rd.rollout_id = ? AND rd.tenant = ? AND rd.device_id = u.device_id""")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setArray(2, c.createArrayOf("bigint", failures.keySet().toArray(Long[]::new)));
                ps.setArray(3, c.createArrayOf("text", failures.values().toArray(String[]::new)));
                ps.setLong(4, rolloutId);
                ps.setString(5, tenants.current());
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---- history ------------------------------------------------------------------------------

    void event(long rolloutId, Instant at, String kind, Integer phase, String message, String by) {
        update("INSERT INTO rollout_event (tenant, rollout_id, at, kind, phase, message, by_whom) VALUES (?, ?, ?, ?, ?, ?, ?)",
                tenants.current(), rolloutId, Timestamp.from(at), kind, phase, message, by);
        live.rollout(rolloutId, null);
    }

    /**
     * Writes a sample of each phase whose counts differ from its latest sample: a rollout that waits
     * (for an approval, a bake, a gate) writes nothing, however long it waits.
     */
    void sample(long rolloutId, Instant at, Map<Integer, RolloutApi.Counts> counts) {
        Map<Integer, List<Integer>> latest = latestSamples(rolloutId);
        for (Map.Entry<Integer, RolloutApi.Counts> e : counts.entrySet()) {
            RolloutApi.Counts n = e.getValue();
            if (sampled(n).equals(latest.get(e.getKey()))) continue;
            update("""
                    INSERT INTO rollout_sample (tenant, rollout_id, at, phase, pending, running, succeeded, failed, cancelled,
                                                rolling_back, rolled_back)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", tenants.current(), rolloutId, Timestamp.from(at), e.getKey(),
                    (int) n.pending(), (int) n.running(), (int) n.succeeded(), (int) n.failed(), (int) n.cancelled(),
                    (int) n.rollingBack(), (int) (n.rolledBack()));
        }
    }

    /** The figures a sample keeps, in the order of its columns. */
    private static List<Integer> sampled(RolloutApi.Counts n) {
        return List.of((int) n.pending(), (int) n.running(), (int) n.succeeded(), (int) n.failed(), (int) n.cancelled(),
                (int) n.rollingBack(), (int) n.rolledBack());
    }

    /** Each phase's latest sample, as {@link #sampled} figures. */
    private Map<Integer, List<Integer>> latestSamples(long rolloutId) {
        return jdbc(c -> {
            Map<Integer, List<Integer>> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT DISTINCT ON (phase) phase, pending, running, succeeded, failed, cancelled, rolling_back, rolled_back
                    FROM rollout_sample WHERE rollout_id = ? AND tenant = ? ORDER BY phase, at DESC, id DESC""")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getInt(1), List.of(rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                                rs.getInt(7), rs.getInt(8)));
                    }
                }
            }
            return out;
        });
    }

    /** A page of samples, oldest first; {@code since}: only those taken after it (null: from the start). */
    List<RolloutApi.Sample> samples(long rolloutId, Instant since, int page, int size) {
        return jdbc(c -> {
            List<RolloutApi.Sample> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT at, phase, pending, running, succeeded, failed, cancelled, rolling_back, rolled_back
                    FROM rollout_sample WHERE rollout_id = ? AND tenant = ? AND at > ?
                    ORDER BY at, phase, id LIMIT ? OFFSET ?""")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                ps.setTimestamp(3, Timestamp.from(since == null ? Instant.EPOCH : since));
                ps.setInt(4, size);
                ps.setLong(5, (long) page * size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RolloutApi.Sample(rs.getTimestamp(1).toInstant(), rs.getInt(2), rs.getInt(3), rs.getInt(4),
                                rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getInt(9)));
                    }
                }
            }
            return out;
        });
    }

    /** A page of events, oldest first. */
    List<RolloutApi.Event> events(long rolloutId, int page, int size) {
        return jdbc(c -> {
            List<RolloutApi.Event> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT at, kind, phase, message, by_whom FROM rollout_event WHERE rollout_id = ? AND tenant = ?
                    ORDER BY id LIMIT ? OFFSET ?""")) {
                ps.setLong(1, rolloutId);
                ps.setString(2, tenants.current());
                ps.setInt(3, size);
                ps.setLong(4, (long) page * size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RolloutApi.Event(rs.getTimestamp(1).toInstant(), rs.getString(2), (Integer) rs.getObject(3),
                                rs.getString(4), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    /** A page of the rollout's devices, optionally of one phase and one state; and the total. */
    record DevicePage(List<RolloutApi.DeviceView> items, long total) {
    }

    DevicePage devices(long rolloutId, Integer phase, String state, int page, int size) {
        return jdbc(c -> {
            String where = " WHERE rd.rollout_id = ? AND rd.tenant = ?" + (phase == null ? "" : " AND rd.phase = ?")
                    + (state == null ? "" : " AND " + STATE + " = ?");
            List<RolloutApi.DeviceView> items = new ArrayList<>();
            // The page first, then each of its devices' last feedback message (the newest status of the
            // rollback action, or else of the action, that carries one): one indexed look-up per row shown.
            try (PreparedStatement ps = c.prepareStatement("SELECT q.*, last.message FROM (SELECT d.controller_id, rd.phase, " + STATE
                    + " AS state, rd.action_id, v.version, rd.rollback_action_id, coalesce(rd.reason, CASE WHEN " + STATE
                    + " IN ('failed', 'rollback-failed') THEN coalesce(rb.reason, a.reason) END) AS reason,"
                    + " greatest(rd.updated_at, a.updated_at, rb.updated_at) AS updated_at, rd.device_id FROM "
                    + FROM + " JOIN device d ON d.id = rd.device_id LEFT JOIN model_version v ON v.id = rd.previous_version_id"
                    + where + " ORDER BY rd.phase, rd.device_id LIMIT ? OFFSET ?) q"
                    + " LEFT JOIN LATERAL (SELECT s.messages ->> 0 AS message FROM action_status s"
                    + " WHERE s.action_id = coalesce(q.rollback_action_id, q.action_id) AND jsonb_array_length(s.messages) > 0"
                    + " ORDER BY s.id DESC LIMIT 1) last ON true ORDER BY q.phase, q.device_id")) {
                int i = bindFilter(ps, rolloutId, phase, state);
                ps.setInt(i++, size);
                ps.setLong(i, (long) page * size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new RolloutApi.DeviceView(rs.getString(1), rs.getInt(2), rs.getString(3), (Long) rs.getObject(4),
                                rs.getString(5), (Long) rs.getObject(6), rs.getString(7), rs.getString(10), rs.getTimestamp(8).toInstant()));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + FROM + where)) {
                bindFilter(ps, rolloutId, phase, state);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new DevicePage(items, rs.getLong(1));
                }
            }
        });
    }

    private int bindFilter(PreparedStatement ps, long rolloutId, Integer phase, String state) throws SQLException {
        int i = 1;
        ps.setLong(i++, rolloutId);
        ps.setString(i++, tenants.current());
        if (phase != null) ps.setInt(i++, phase);
        if (state != null) ps.setString(i++, state);
        return i;
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private List<Long> longs(String sql, Object... args) {
        return jdbc(c -> {
            List<Long> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(c, ps, args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getLong(1));
                }
            }
            return out;
        });
    }

    private int update(String sql, Object... args) {
        return jdbc(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(c, ps, args);
                return ps.executeUpdate();
            }
        });
    }

    private static void bind(Connection c, PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Long[] a) ps.setArray(i + 1, c.createArrayOf("bigint", a));
            else if (args[i] == null) ps.setNull(i + 1, Types.NULL);
            else ps.setObject(i + 1, args[i]);
        }
    }
}
