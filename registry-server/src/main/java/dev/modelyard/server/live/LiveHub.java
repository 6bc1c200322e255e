package dev.modelyard.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.server.auth.Role;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.ApiException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * This replica's open event streams, and the fan-out of the events {@link LiveFeed} hears to them.
 * One thread does all of it on a timer: every {@link LiveConfig#coalesce()} it sends what arrived
 * (an event whose topic and id came again within the window is sent once, their fields merged), every
 * {@link LiveConfig#heartbeat()} a comment line, every {@link LiveConfig#checkInterval()} it ends
 * the streams whose token was revoked or expired or whose tenant was disabled, and recomputes what
 * each stream's token may hear from its role and scope now, ending a stream left with no topic (one
 * query for all).
 * Sending never waits for a client ({@link LiveStream}).
 */
@ApplicationScoped
public class LiveHub {

    private static final Logger LOG = Logger.getLogger(LiveHub.class);

    private final LiveConfig config;
    private final AgroalDataSource db;
    private final ObjectMapper json;
    private final Clock clock;
    private final Set<LiveStream> streams = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Integer> perToken = new ConcurrentHashMap<>();
    private final Map<String, Integer> perTenant = new ConcurrentHashMap<>();
    /** tenant/topic/id → the latest event; sent at the next tick. Guarded by itself. */
    private final Map<String, Arrived> arrived = new LinkedHashMap<>();
    private ScheduledExecutorService timer;

    private record Arrived(String tenant, LiveTopic topic, JsonNode event) {
    }

    public LiveHub(LiveConfig config, AgroalDataSource db, ObjectMapper json, Clock clock) {
        this.config = config;
        this.db = db;
        this.json = json;
        this.clock = clock;
    }

    void onStart(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-hub");
            t.setDaemon(true);
            return t;
        });
        long coalesce = Math.max(10, config.coalesce().toMillis());
        timer.scheduleWithFixedDelay(guarded(this::flush), coalesce, coalesce, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(guarded(this::heartbeat), config.heartbeat().toMillis(), config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(guarded(this::check), config.checkInterval().toMillis(), config.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (timer != null) timer.shutdownNow();
        endAll();
    }

    private static Runnable guarded(Runnable work) {
        return () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("live event work failed", e);
            }
        };
    }

    /**
     * Opens a stream, or refuses with 429 {@code rate-limited} when the token, its tenant or this replica
     * holds as many as it may (the tenant's cap keeps one tenant from taking every slot).
     */
    LiveStream open(String tenant, UUID tokenId, Set<LiveTopic> requested, Set<LiveTopic> topics, String scope, SseEventSink sink,
                    Sse sse) {
        String retryAfter = Long.toString(Math.max(1, config.retryAfter().toSeconds()));
        for (LiveStream s : streams) s.isOpen(); // a stream its client closed stops counting now
        synchronized (perToken) {
            if (streams.size() >= config.maxStreams()) {
                throw ApiException.of(ErrorCode.RATE_LIMITED, "this server has " + config.maxStreams()
                        + " open event streams, as many as it serves; try again after Retry-After", Map.of("Retry-After", retryAfter));
            }
            int mine = perToken.getOrDefault(tokenId, 0);
            if (mine >= config.maxStreamsPerToken()) {
                throw ApiException.of(ErrorCode.RATE_LIMITED, "this token has " + mine + " open event streams, as many as one token may; "
                        + "close one (a console tab holds one) or try again after Retry-After", Map.of("Retry-After", retryAfter));
            }
            int ours = perTenant.getOrDefault(tenant, 0);
            if (ours >= config.maxStreamsPerTenant()) {
                throw ApiException.of(ErrorCode.RATE_LIMITED, "this tenant's tokens hold " + ours + " open event streams on this server, "
                        + "as many as one tenant may; close some (a console tab holds one) or try again after Retry-After",
                        Map.of("Retry-After", retryAfter));
            }
            perToken.merge(tokenId, 1, Integer::sum);
            perTenant.merge(tenant, 1, Integer::sum);
            LiveStream[] self = new LiveStream[1];
            LiveStream stream = new LiveStream(tenant, tokenId, requested, topics, scope, sink, sse, config.buffer(),
                    () -> closed(self[0]));
            self[0] = stream;
            streams.add(stream);
            stream.comment("connected");
            return stream;
        }
    }

    private void closed(LiveStream stream) {
        synchronized (perToken) {
            if (streams.remove(stream)) {
                perToken.computeIfPresent(stream.tokenId, (k, n) -> n <= 1 ? null : n - 1);
                perTenant.computeIfPresent(stream.tenant, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    /** Open streams on this replica. */
    int open() {
        return streams.size();
    }

    /** A notification from {@link LiveFeed}: {@code {"tenant": …, "event": {"topic": …, "id": …, …}}}. */
    void received(String channel, String payload) {
        JsonNode message;
        try {
            message = json.readTree(payload);
        } catch (IOException e) {
            LOG.warnf("ignoring an unreadable live event: %s", payload);
            return;
        }
        String tenant = message.path("tenant").asText(null);
        JsonNode event = message.get("event");
        LiveTopic topic = event == null ? null : LiveTopic.parse(event.path("topic").asText()).orElse(null);
        if (tenant == null || topic == null) {
            LOG.warnf("ignoring a live event without tenant or known topic: %s", payload);
            return;
        }
        String key = tenant + "\u0000" + topic + "\u0000" + (event.has("id") ? event.get("id").asText() : "*");
        synchronized (arrived) {
            Arrived earlier = arrived.remove(key); // keeps the order of the last arrival
            JsonNode merged = earlier != null && earlier.event() instanceof ObjectNode e && event instanceof ObjectNode l
                    ? LiveEvents.merge(e, l) : event;
            arrived.put(key, new Arrived(tenant, topic, merged));
        }
    }

    private void flush() {
        if (streams.isEmpty()) {
            synchronized (arrived) {
                arrived.clear();
            }
            return;
        }
        streams.removeIf(s -> !s.isOpen());
        Arrived[] batch;
        synchronized (arrived) {
            if (arrived.isEmpty()) return;
            batch = arrived.values().toArray(Arrived[]::new);
            arrived.clear();
        }
        for (Arrived a : batch) {
            String data = a.event().toString();
            for (LiveStream s : streams) {
                if (s.tenant.equals(a.tenant()) && s.accepts(a.topic(), a.event())) s.send(data);
            }
        }
    }

    private void heartbeat() {
        for (LiveStream s : streams) s.comment("keep-alive");
    }

    /** What a token may do now: its role's permissions (none for a role deleted) and its scope. */
    private record Grant(Set<String> permissions, String scope) {
    }

    /**
     * Ends the streams whose token is no longer active (revoked, expired, deleted) or whose tenant is
     * disabled; narrows (or widens, within what the client asked for) what the others hear to what their
     * token's role and scope allow now, and ends those left with no topic.
     */
    void check() {
        if (streams.isEmpty()) return;
        Set<UUID> tokens = new HashSet<>();
        for (LiveStream s : streams) tokens.add(s.tokenId);
        Map<UUID, Grant> active = new HashMap<>();
        // Across tenants by nature: the streams of every tenant on this replica, checked by token id.
        // The custom role is joined by the token's own tenant; a built-in role's name matches no row.
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement("""
                SELECT t.id, t.role, t.scope, r.permissions::text, r.id IS NOT NULL
                FROM api_token t JOIN tenant n ON n.id = t.tenant
                LEFT JOIN custom_role r ON r.tenant = t.tenant AND r.name = t.role
                WHERE t.id = ANY(?) AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND n.enabled""")) {
            Array ids = c.createArrayOf("uuid", tokens.toArray());
            q.setArray(1, ids);
            q.setTimestamp(2, Timestamp.from(clock.instant()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    active.put(rs.getObject(1, UUID.class), new Grant(permissions(rs.getString(2), rs.getString(4), rs.getBoolean(5)),
                            rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            LOG.debugf("could not check the tokens of the event streams now: %s", e.getMessage());
            return;
        }
        for (LiveStream s : streams) {
            Grant grant = active.get(s.tokenId);
            if (grant == null) {
                s.end();
                continue;
            }
            Set<LiveTopic> allowed = LiveTopic.allowed(s.requested, grant.permissions()::contains, grant.scope());
            if (allowed.isEmpty()) s.end();
            else s.restrict(allowed, grant.scope());
        }
    }

    private Set<String> permissions(String role, String customPermissions, boolean custom) {
        var builtIn = Role.builtIn(role);
        if (builtIn.isPresent()) return builtIn.get().permissions();
        if (!custom) return Set.of(); // a role that no longer exists grants nothing
        try {
            Set<String> out = new HashSet<>();
            for (JsonNode p : json.readTree(customPermissions)) out.add(p.asText());
            return out;
        } catch (IOException e) {
            LOG.warnf("unreadable permissions of role %s: its streams hear nothing", role);
            return Set.of();
        }
    }

    /** Ends every stream: its client reconnects and re-reads (after this replica may have missed events). */
    void endAll() {
        for (LiveStream s : streams) s.end();
    }
}
