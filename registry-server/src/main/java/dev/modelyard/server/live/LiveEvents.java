package dev.modelyard.server.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.server.tenant.TenantContext;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Publishes live events: hints ("action 12 changed") for the console, which re-reads what it shows.
 * A service calls one of these methods where it makes the change; the event is sent with
 * PostgreSQL's {@code pg_notify} on channel {@value #CHANNEL} inside the change's transaction, so
 * every replica hears it once the change commits, and nobody hears a change that was rolled back.
 *
 * <p>Within one transaction, events with the same topic and id are sent once, their fields merged (a
 * later event's fields win, a field only an earlier one has survives: a job's status is not lost to
 * a later log-line event), and a
 * topic sends at most {@value #MAX_PER_TOPIC} events: beyond, one event {@code {topic, many: true}}
 * stands for the rest (a rollout batch assigning 2,000 devices is one re-read, not 2,000).
 * Never call it per device poll: polls change nothing a person watches.
 */
@ApplicationScoped
public class LiveEvents {

    public static final String CHANNEL = "modelyard_live";
    /** pg_notify's payload limit is 8000 bytes; an event larger than this is cut to its topic and id. */
    static final int MAX_PAYLOAD = 7_800;
    static final int MAX_PER_TOPIC = 100;
    private static final Logger LOG = Logger.getLogger(LiveEvents.class);
    private final Object txKey = new Object();

    private final AgroalDataSource db;
    private final TenantContext tenants;
    private final TransactionSynchronizationRegistry transactions;
    private final ObjectMapper json;

    public LiveEvents(AgroalDataSource db, TenantContext tenants, TransactionSynchronizationRegistry transactions, ObjectMapper json) {
        this.db = db;
        this.tenants = tenants;
        this.transactions = transactions;
        this.json = json;
    }

    /** A device was registered, changed (attributes, tags, status) or deleted. */
    public void device(String controllerId) {
        publish(LiveTopic.DEVICE, controllerId, Map.of("id", controllerId));
    }

    /** An action was created or its status changed. */
    public void action(long id, String device, String model, String version, String status) {
        publish(LiveTopic.ACTION, id, fields("id", id, "device", device, "model", model, "version", version, "status", status));
    }

    /** A rollout's state changed or it made progress. */
    public void rollout(long id, String state) {
        publish(LiveTopic.ROLLOUT, id, fields("id", id, "state", state));
    }

    /** A rollout was deleted: {@code {topic: rollout, id, deleted: true}}. */
    public void rolloutDeleted(long id) {
        publish(LiveTopic.ROLLOUT, id, fields("id", id, "deleted", true));
    }

    /** A conversion job's status changed or it logged. */
    public void job(Object id, String status, String model, String version) {
        publish(LiveTopic.JOB, id, fields("id", String.valueOf(id), "status", status, "model", model, "version", version));
    }

    /** As {@link #job}, for work that names its tenant rather than running in it (a claim across tenants). */
    public void job(String tenant, Object id, String status) {
        publish(tenant, LiveTopic.JOB, id, fields("id", String.valueOf(id), "status", status));
    }

    /** A version was created, published, deprecated or revoked, or an alias moved to or from it. */
    public void version(String model, String version) {
        publish(LiveTopic.VERSION, model + "/" + version, fields("id", model + "/" + version, "model", model, "version", version));
    }

    /** An artifact was added or removed. */
    public void artifact(String model, String version, Object id) {
        publish(LiveTopic.ARTIFACT, id, fields("id", String.valueOf(id), "model", model, "version", version));
    }

    /** A model was created, changed or deleted. */
    public void model(String name) {
        publish(LiveTopic.MODEL, name, fields("id", name, "model", name));
    }

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] != null) out.put((String) kv[i], kv[i + 1]);
        return out;
    }

    private void publish(LiveTopic topic, Object id, Map<String, Object> fields) {
        String tenant;
        try {
            tenant = tenants.isAcrossTenants() ? null : tenants.current();
        } catch (IllegalStateException e) {
            tenant = null;
        }
        if (tenant == null) {
            // Work of no tenant (or of all) changes nothing a tenant's console shows by itself.
            LOG.debugf("live event %s %s outside a tenant: not sent", topic.wireName(), id);
            return;
        }
        publish(tenant, topic, id, fields);
    }

    private void publish(String tenant, LiveTopic topic, Object id, Map<String, Object> fields) {
        ObjectNode event = json.createObjectNode();
        event.put("topic", topic.wireName());
        fields.forEach((k, v) -> event.set(k, json.valueToTree(v)));
        if (transactions.getTransactionKey() == null) {
            send(tenant, event);
            return;
        }
        Pending pending = pending();
        String key = tenant + "\u0000" + topic + "\u0000" + id;
        Outgoing earlier = pending.events.get(key);
        if (earlier != null) {
            pending.events.put(key, new Outgoing(tenant, merge(earlier.event(), event)));
        } else if (pending.counts.merge(topic, 1, Integer::sum) <= MAX_PER_TOPIC) {
            pending.events.put(key, new Outgoing(tenant, event));
        } else {
            ObjectNode many = json.createObjectNode().put("topic", topic.wireName()).put("many", true);
            pending.events.putIfAbsent(tenant + "\u0000" + topic + "\u0000*", new Outgoing(tenant, many));
        }
    }

    /**
     * Two events of the same topic and id as one: the later one's fields win, a field only the earlier one
     * has survives. Returns a new node (neither argument changes).
     */
    static ObjectNode merge(ObjectNode earlier, ObjectNode later) {
        ObjectNode merged = earlier.deepCopy();
        merged.setAll(later);
        return merged;
    }

    private record Outgoing(String tenant, ObjectNode event) {
    }

    private static final class Pending {
        final Map<String, Outgoing> events = new LinkedHashMap<>();
        final Map<LiveTopic, Integer> counts = new EnumMap<>(LiveTopic.class);
    }

    /** The current transaction's events, sent just before it commits (in it: a rollback drops them). */
    private Pending pending() {
        Pending pending = (Pending) transactions.getResource(txKey);
        if (pending != null) return pending;
        Pending created = new Pending();
        transactions.putResource(txKey, created);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                if (transactions.getRollbackOnly()) return;
                created.events.values().forEach(o -> send(o.tenant(), o.event()));
            }

            @Override
            public void afterCompletion(int status) {
            }
        });
        return created;
    }

    private void send(String tenant, ObjectNode event) {
        String payload = payload(tenant, event);
        if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
            ObjectNode small = json.createObjectNode().put("topic", event.path("topic").asText());
            small.set("id", event.get("id"));
            payload = payload(tenant, small);
        }
        // In a transaction this is its connection: in PostgreSQL a failed statement aborts the whole
        // transaction, so the notification runs under a savepoint and a failure (a payload too long,
        // a full notification queue) rolls back only the savepoint, never the change it is about.
        // SQL savepoints, as the pool refuses JDBC rollbacks on a connection enlisted in a transaction.
        try (Connection c = db.getConnection()) {
            if (c.getAutoCommit()) {
                pgNotify(c, payload);
                return;
            }
            try (Statement sp = c.createStatement()) {
                sp.execute("SAVEPOINT live_event");
                try {
                    pgNotify(c, payload);
                    sp.execute("RELEASE SAVEPOINT live_event");
                } catch (SQLException e) {
                    sp.execute("ROLLBACK TO SAVEPOINT live_event");
                    throw e;
                }
            }
        } catch (SQLException e) {
            // A hint that cannot be sent must not undo the change it is about: clients re-read after a reconnect.
            LOG.warnf("could not send a live event (%s): %s", event.path("topic").asText(), e.getMessage());
        }
    }

    private static void pgNotify(Connection c, String payload) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            s.setString(1, CHANNEL);
            s.setString(2, payload);
            s.execute();
        }
    }

    private String payload(String tenant, ObjectNode event) {
        ObjectNode wrapper = json.createObjectNode().put("tenant", tenant);
        wrapper.set("event", event);
        return wrapper.toString();
    }
}
