package dev.modelyard.server.deployment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.device.DeviceChangeFeed;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.Model;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Assigns one model version to many devices with a handful of set-based statements per batch
 * of devices (lock, read open actions, insert actions, supersede, history, device status), in
 * the caller's transaction. Thousands of devices take seconds, not minutes.
 */
@ApplicationScoped
class Assigner {

    /** Devices per round of statements: bounds the size of each statement's arrays. */
    private static final int BATCH = 2_000;
    private static final TypeReference<Map<String, String>> ATTRIBUTES = new TypeReference<>() { };

    /** A device to assign to: what choosing its artifact needs. */
    record Target(long id, String controllerId, Map<String, String> attributes) {
    }

    /**
     * What was asked. {@code refused}: device id → why that device would refuse the version
     * (its action is recorded failed with that reason, whatever artifact would fit).
     */
    record Request(Model model, ModelVersion version, String requested, ActionType type, boolean lowPrecision, String by,
                   List<ArtifactChooser.Candidate> candidates, Map<Long, String> refused, ActionOptions options) {
    }

    /** The outcome for one device: the action that now delivers the version, and whether it is new. */
    record Outcome(long actionId, String controllerId, boolean created, boolean failed) {
    }

    private record Open(long id, long deviceId, long versionId, String type, String status, boolean lowPrecision) {
    }

    private record NewAction(Target device, ArtifactChooser.Choice choice) {
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final Clock clock;
    private final DeviceChangeFeed feed;
    private final TenantContext tenants;

    Assigner(EntityManager em, ObjectMapper json, Clock clock, DeviceChangeFeed feed, TenantContext tenants) {
        this.em = em;
        this.tenants = tenants;
        this.json = json;
        this.clock = clock;
        this.feed = feed;
    }

    // Native SQL is outside the ORM's tenant scoping: these two pick devices by name, so they name the
    // tenant; every later statement works on the ids they return.

    /** The devices with this tag, in id order (one lock order for every transaction). */
    List<Target> byTag(String tag) {
        return query("""
                SELECT d.id, d.controller_id, d.attributes::text FROM device d JOIN device_tag t ON t.device_id = d.id
                WHERE d.tenant = ? AND t.tag = ? ORDER BY d.id LIMIT ?""", tenants.current(), tag,
                DeploymentService.MAX_DEVICES + 1);
    }

    /** The devices with these ids (of the current tenant; others are left out), in id order. */
    List<Target> byIds(List<Long> ids) {
        return query("""
                SELECT id, controller_id, attributes::text FROM device WHERE tenant = ? AND id = ANY(?)
                ORDER BY id""", tenants.current(), ids.toArray(Long[]::new));
    }

    /** The devices with these controller ids, in id order; DEVICE_NOT_FOUND naming the first unknown one. */
    List<Target> byControllerIds(List<String> ids) {
        List<Target> found = query("""
                SELECT id, controller_id, attributes::text FROM device WHERE tenant = ? AND controller_id = ANY(?)
                ORDER BY id""", tenants.current(), ids.toArray(String[]::new));
        if (found.size() < ids.stream().distinct().count()) {
            var known = found.stream().map(Target::controllerId).collect(java.util.stream.Collectors.toSet());
            String missing = ids.stream().filter(id -> !known.contains(id)).findFirst().orElseThrow();
            throw DomainException.of(ErrorCode.DEVICE_NOT_FOUND, "no device with controller id '" + missing + "'");
        }
        return found;
    }

    /** A device that runs a newer release of the model than the one being assigned. */
    record Newer(long deviceId, String controllerId, String version, long releaseCounter) {
    }

    /**
     * Which of {@code targets} run a release of {@code model} whose counter is above {@code
     * counter}, as their last successful action installed it, in device order.
     */
    List<Newer> newerInstalled(List<Target> targets, long modelId, long counter) {
        if (targets.isEmpty()) return List.of();
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT d.id, d.controller_id, v.version, v.release_counter
                    FROM installed_model i JOIN model_version v ON v.id = i.version_id JOIN device d ON d.id = i.device_id
                    WHERE i.device_id = ANY(?) AND i.model_id = ? AND v.release_counter > ?
                    ORDER BY d.id""")) {
                ps.setArray(1, c.createArrayOf("bigint", targets.stream().map(Target::id).toArray(Long[]::new)));
                ps.setLong(2, modelId);
                ps.setLong(3, counter);
                List<Newer> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) found.add(new Newer(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
                }
                return found;
            }
        });
    }

    /** Assigns to every target; returns one outcome per target, in target order. */
    List<Outcome> assign(Request r, List<Target> targets) {
        em.flush();
        List<Outcome> out = new ArrayList<>(targets.size());
        for (int from = 0; from < targets.size(); from += BATCH) {
            List<Target> batch = targets.subList(from, Math.min(targets.size(), from + BATCH));
            out.addAll(em.unwrap(Session.class).doReturningWork(c -> assignBatch(c, r, batch)));
        }
        return out;
    }

    private List<Outcome> assignBatch(Connection c, Request r, List<Target> batch) throws SQLException {
        Long[] ids = batch.stream().map(Target::id).toArray(Long[]::new);
        lock(c, ids);
        Map<Long, List<Open>> open = openActions(c, ids, r.model().id);
        Map<Long, Outcome> outcomes = new HashMap<>();
        List<NewAction> fresh = new ArrayList<>();
        for (Target d : batch) {
            String refused = r.refused().get(d.id());
            if (refused != null) {
                // Checked first: even the same open assignment would be refused by the device now.
                fresh.add(new NewAction(d, ArtifactChooser.Choice.none(refused)));
                continue;
            }
            Open same = open.getOrDefault(d.id(), List.of()).stream().filter(a -> a.versionId() == r.version().id
                    && a.type().equals(r.type().name()) && !a.status().equals(ActionState.CANCELING.name())
                    && a.lowPrecision() == r.lowPrecision()).findFirst().orElse(null);
            if (same != null) {
                outcomes.put(d.id(), new Outcome(same.id(), d.controllerId(), false, false));
            } else {
                fresh.add(new NewAction(d, ArtifactChooser.choose(r.candidates(),
                        ArtifactChooser.Device.fromAttributes(d.attributes()), r.lowPrecision())));
            }
        }
        Instant now = clock.instant();
        Map<Long, Long> created = insertActions(c, r, fresh, now);
        History history = new History();
        List<Long> superseded = new ArrayList<>();
        List<Long> supersededBy = new ArrayList<>();
        for (NewAction n : fresh) {
            long actionId = created.get(n.device().id());
            boolean ok = n.choice().chosen().isPresent();
            outcomes.put(n.device().id(), new Outcome(actionId, n.device().controllerId(), true, !ok));
            if (!ok) {
                history.add(actionId, "error", "Assignment by '" + r.by() + "' failed: " + n.choice().reason());
                continue;
            }
            history.add(actionId, "running", initiated(r, n.choice().chosen().get()));
            for (Open old : open.getOrDefault(n.device().id(), List.of())) {
                if (old.status().equals(ActionState.CANCELING.name())) continue;
                superseded.add(old.id());
                supersededBy.add(actionId);
                history.add(old.id(), "canceling", "Superseded by action " + actionId + " (" + r.model().name + " "
                        + r.version().version + "); the device is asked to cancel");
            }
        }
        supersede(c, superseded, supersededBy, now);
        history.insert(c, now);
        refreshDevices(c, fresh.stream().map(n -> n.device().id()).toArray(Long[]::new));
        return batch.stream().map(d -> outcomes.get(d.id())).toList();
    }

    private static String initiated(Request r, ArtifactChooser.Candidate a) {
        return "Assignment initiated by '" + r.by() + "': " + r.model().name + " " + r.version().version
                + (r.requested().equals(r.version().version) ? "" : " (" + r.requested() + ")") + ", artifact " + a.filename()
                + " (" + a.target().format() + ", " + a.target().arch() + ", " + a.target().accelerator() + ", "
                + a.target().precision() + ")";
    }

    private static void lock(Connection c, Long[] ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM device WHERE id = ANY(?) ORDER BY id FOR UPDATE")) {
            ps.setArray(1, c.createArrayOf("bigint", ids));
            ps.executeQuery().close();
        }
    }

    private static Map<Long, List<Open>> openActions(Connection c, Long[] ids, long modelId) throws SQLException {
        Map<Long, List<Open>> open = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT id, device_id, version_id, type, status, low_precision FROM action
                WHERE device_id = ANY(?) AND model_id = ? AND active ORDER BY id""")) {
            ps.setArray(1, c.createArrayOf("bigint", ids));
            ps.setLong(2, modelId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Open o = new Open(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getBoolean(6));
                    open.computeIfAbsent(o.deviceId(), k -> new ArrayList<>()).add(o);
                }
            }
        }
        return open;
    }

    /** Inserts the new actions; returns device id → action id. */
    private static Map<Long, Long> insertActions(Connection c, Request r, List<NewAction> fresh, Instant now) throws SQLException {
        Map<Long, Long> ids = new HashMap<>();
        if (fresh.isEmpty()) return ids;
        int n = fresh.size();
        Long[] devices = new Long[n];
        UUID[] artifacts = new UUID[n];
        String[] statuses = new String[n];
        Boolean[] active = new Boolean[n];
        String[] reasons = new String[n];
        for (int i = 0; i < n; i++) {
            NewAction a = fresh.get(i);
            devices[i] = a.device().id();
            artifacts[i] = a.choice().chosen().map(ArtifactChooser.Candidate::id).orElse(null);
            statuses[i] = artifacts[i] != null ? ActionState.RUNNING.name() : ActionState.ERROR.name();
            active[i] = artifacts[i] != null;
            reasons[i] = artifacts[i] != null ? null : a.choice().reason();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO action (device_id, model_id, version_id, requested, artifact_id, type, status, active,
                                    low_precision, reason, created_at, updated_at, created_by, rollout_id,
                                    maintenance_schedule, maintenance_duration_seconds, maintenance_zone, rollback_authorization)
                SELECT u.device_id, ?, ?, ?, u.artifact_id, ?, u.status, u.active, ?, u.reason, ?, ?, ?, ?, ?, ?, ?, ?
                FROM unnest(?::bigint[], ?::uuid[], ?::text[], ?::boolean[], ?::text[])
                     AS u(device_id, artifact_id, status, active, reason)
                RETURNING id, device_id""")) {
            Timestamp ts = Timestamp.from(now);
            ps.setLong(1, r.model().id);
            ps.setLong(2, r.version().id);
            ps.setString(3, r.requested());
            ps.setString(4, r.type().name());
            ps.setBoolean(5, r.lowPrecision());
            ps.setTimestamp(6, ts);
            ps.setTimestamp(7, ts);
            ps.setString(8, r.by());
            ActionOptions o = r.options();
            MaintenanceWindow w = o.window();
            ps.setObject(9, o.rolloutId(), java.sql.Types.BIGINT);
            ps.setString(10, w == null ? null : w.schedule());
            ps.setObject(11, w == null ? null : Math.toIntExact(w.duration().toSeconds()), java.sql.Types.INTEGER);
            ps.setString(12, w == null ? null : w.zone());
            ps.setString(13, o.rollbackAuthorization());
            ps.setArray(14, c.createArrayOf("bigint", devices));
            ps.setArray(15, c.createArrayOf("uuid", artifacts));
            ps.setArray(16, c.createArrayOf("text", statuses));
            ps.setArray(17, c.createArrayOf("boolean", active));
            ps.setArray(18, c.createArrayOf("text", reasons));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.put(rs.getLong(2), rs.getLong(1));
            }
        }
        return ids;
    }

    private static void supersede(Connection c, List<Long> old, List<Long> by, Instant now) throws SQLException {
        if (old.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE action a SET status = 'CANCELING', reason = 'superseded by action ' || s.new_id, updated_at = ?
                FROM unnest(?::bigint[], ?::bigint[]) AS s(old_id, new_id) WHERE a.id = s.old_id""")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setArray(2, c.createArrayOf("bigint", old.toArray(Long[]::new)));
            ps.setArray(3, c.createArrayOf("bigint", by.toArray(Long[]::new)));
            ps.executeUpdate();
        }
    }

    /** History entries of one round, written with one statement. */
    private final class History {
        private final List<Long> actions = new ArrayList<>();
        private final List<String> types = new ArrayList<>();
        private final List<String> messages = new ArrayList<>();

        void add(long actionId, String type, String message) {
            actions.add(actionId);
            types.add(type);
            try {
                messages.add(json.writeValueAsString(List.of(message)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        void insert(Connection c, Instant now) throws SQLException {
            if (actions.isEmpty()) return;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO action_status (action_id, type, messages, occurred_at, reported_at)
                    SELECT u.action_id, u.type, u.messages::jsonb, ?, ? FROM unnest(?::bigint[], ?::text[], ?::text[])
                         AS u(action_id, type, messages)""")) {
                Timestamp ts = Timestamp.from(now);
                ps.setTimestamp(1, ts);
                ps.setTimestamp(2, ts);
                ps.setArray(3, c.createArrayOf("bigint", actions.toArray(Long[]::new)));
                ps.setArray(4, c.createArrayOf("text", types.toArray(String[]::new)));
                ps.setArray(5, c.createArrayOf("text", messages.toArray(String[]::new)));
                ps.executeUpdate();
            }
        }
    }

    /** Derives each device's status from its actions and bumps its state version. */
    void refreshDevices(Connection c, Long[] ids) throws SQLException {
        if (ids.length == 0) return;
        try (PreparedStatement ps = c.prepareStatement(DeploymentService.REFRESH_DEVICES)) {
            ps.setArray(1, c.createArrayOf("bigint", ids));
            ps.executeUpdate();
        }
        for (Long id : ids) feed.changedInThisTransaction(id);
    }

    private List<Target> query(String sql, Object... args) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] instanceof String[] a) {
                        Array array = c.createArrayOf("text", a);
                        ps.setArray(i + 1, array);
                    } else if (args[i] instanceof Long[] a) {
                        ps.setArray(i + 1, c.createArrayOf("bigint", a));
                    } else {
                        ps.setObject(i + 1, args[i]);
                    }
                }
                List<Target> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new Target(rs.getLong(1), rs.getString(2), attributes(rs.getString(3))));
                }
                return out;
            }
        });
    }

    private Map<String, String> attributes(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, ATTRIBUTES);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a device's stored attributes are not a JSON object of strings", e);
        }
    }
}
