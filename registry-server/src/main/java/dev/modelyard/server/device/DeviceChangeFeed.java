package dev.modelyard.server.device;

import dev.modelyard.server.config.ModelyardConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Tells this replica which devices changed anywhere: a database trigger sends the id of every
 * device whose poll answer or token changes on channel {@value #CHANNEL}, and this feed listens on
 * its own connection. With it, caches of poll answers and tokens stay correct across replicas
 * without a database read per poll.
 *
 * <p>While the feed is not {@link #live()} (before it connects, after it loses its connection) a
 * replica cannot know what it missed: caches must then check the database on every use, and
 * drop everything when the feed comes back ({@link Listener#reset()}).
 *
 * <p>Race-free caching: read {@link #sequence()} before loading from the database, and keep
 * what was loaded only if the sequence is unchanged afterwards; any notification in between may
 * be about that very row.
 *
 * <p>A connection can look open and deliver nothing (a silent network cut, or a pooler in
 * transaction mode that accepted LISTEN on one server connection and sends nothing back): so the
 * feed sends itself a notification every {@link #HEARTBEAT} and is live only while they come
 * back in time. Its health is in the metrics {@code modelyard_device_feed_connected},
 * {@code modelyard_device_feed_last_message_age_seconds} and {@code modelyard_device_feed_reconnects_total}.
 *
 * <p>Losing the database: the feed's connection breaks like any other (terminated, refused,
 * server restarted); the feed goes stale at once (caches are dropped and not trusted, so polls
 * read the database and answer 503 while it cannot be reached), then tries to reconnect after
 * 0.5 s, 1 s, 2 s, 4 s and then every {@link #MAX_RETRY}; once a heartbeat has made the round
 * trip on the new connection, it is live again with empty caches.
 * Changes made by this replica are applied to its caches when their transaction
 * commits ({@link #changedInThisTransaction}), before the response leaves, so a client never
 * reads its own write from a stale cache.
 */
@ApplicationScoped
public class DeviceChangeFeed {

    public static final String CHANNEL = "modelyard_device";
    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** A heartbeat not back within this is a feed that cannot be trusted. */
    static final Duration HEARTBEAT_DEADLINE = Duration.ofSeconds(3);
    private static final String PING = "ping:";
    private static final Logger LOG = Logger.getLogger(DeviceChangeFeed.class);
    /**
     * The longest pause between two attempts to reconnect. Short, because while the feed is down
     * every poll reads the database; an attempt costs one connection try to a server that is down.
     */
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final Object TX_KEY = new Object();

    /** Receives changes on the feed's thread: keep it to in-memory work. */
    public interface Listener {
        /** @param tokenChanged the device's token changed, or the device is gone */
        void changed(long deviceId, boolean tokenChanged);

        /** Changes may have been missed: forget everything. */
        void reset();
    }

    /**
     * Told of the devices whose poll answer or token a transaction of this replica changed, once
     * it has committed, on the committing thread: keep it to handing the ids on. Unlike
     * {@link Listener}, it hears only this replica's own changes, so work done for them (a push
     * hint) is done once however many replicas run.
     */
    public interface CommitListener {
        void committed(Set<Long> deviceIds);
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<CommitListener> commitListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final boolean enabled;
    private final String url;
    private final Properties credentials = new Properties();
    private final TransactionSynchronizationRegistry transactions;
    private final String instance = java.util.UUID.randomUUID().toString();
    private volatile boolean live;
    /** The number of the last heartbeat that came back. */
    private volatile long heartbeatsBack;
    private volatile boolean stopping;
    private volatile Thread thread;
    /** {@link System#nanoTime()} of the last notification received, heartbeats included; 0 before the first. */
    private volatile long lastMessageAt;
    /** The feed was live before (on the feed's thread): going live again is a reconnection. */
    private boolean wasLive;
    private final Counter reconnects;

    public DeviceChangeFeed(ModelyardConfig config, TransactionSynchronizationRegistry transactions,
                            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password,
                            MeterRegistry registry) {
        this.enabled = config.ddi().changeFeed();
        this.transactions = transactions;
        this.url = url;
        user.ifPresent(u -> credentials.setProperty("user", u));
        password.ifPresent(p -> credentials.setProperty("password", p));
        credentials.setProperty("ApplicationName", "modelyard-device-feed");
        // A silently dropped connection must end in an error, not in a feed that waits forever.
        credentials.setProperty("tcpKeepAlive", "true");
        credentials.setProperty("socketTimeout", Long.toString(HEARTBEAT.plus(HEARTBEAT_DEADLINE).toSeconds() * 2));
        Gauge.builder("modelyard.device.feed.connected", this, f -> f.live ? 1 : 0)
                .description("1 while the device change feed is live (poll answers are served from memory), else 0")
                .register(registry);
        Gauge.builder("modelyard.device.feed.last.message.age", this, DeviceChangeFeed::lastMessageAgeSeconds)
                .description("Seconds since the device change feed last received a notification or its own heartbeat (NaN before the first)")
                .baseUnit("seconds").register(registry);
        this.reconnects = Counter.builder("modelyard.device.feed.reconnects")
                .description("Times the device change feed became live again after losing its connection").register(registry);
    }

    private double lastMessageAgeSeconds() {
        long at = lastMessageAt;
        return at == 0 ? Double.NaN : (System.nanoTime() - at) / 1e9;
    }

    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    /** Adds a listener of this replica's committed changes (see {@link CommitListener}). */
    public void onCommitted(CommitListener listener) {
        commitListeners.add(listener);
    }

    /** True while every change since the last reset has been (or is about to be) delivered. */
    public boolean live() {
        return live;
    }

    /** Grows with every change and reset this replica receives. */
    public long sequence() {
        return sequence.get();
    }

    /**
     * This device's poll answer or token changes in the current transaction: this replica's
     * caches drop it as soon as the transaction commits. Other replicas learn it from the
     * notification the database sends.
     */
    public void changedInThisTransaction(long deviceId) {
        changes().merge(deviceId, false, Boolean::logicalOr);
    }

    /** As {@link #changedInThisTransaction}, for a device whose token changes or that is deleted. */
    public void tokenChangedInThisTransaction(long deviceId) {
        changes().put(deviceId, true);
    }

    /** Device id → token changed, of the current transaction; delivered here when it commits. */
    @SuppressWarnings("unchecked")
    private Map<Long, Boolean> changes() {
        Map<Long, Boolean> changes = (Map<Long, Boolean>) transactions.getResource(TX_KEY);
        if (changes != null) return changes;
        Map<Long, Boolean> created = new HashMap<>();
        transactions.putResource(TX_KEY, created);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status != Status.STATUS_COMMITTED) return;
                created.forEach(DeviceChangeFeed.this::deliver);
                committed(Set.copyOf(created.keySet()));
            }
        });
        return created;
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.info("device change feed is off: every poll checks the device's state version in the database");
            return;
        }
        Thread t = new Thread(this::run, "device-change-feed");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    private void run() {
        int failures = 0;
        while (!stopping) {
            try (Connection c = DriverManager.getConnection(url, credentials)) {
                PGConnection pg = c.unwrap(PGConnection.class);
                listen(c, pg);
                failures = 0;
                receive(c, pg);
            } catch (Exception e) {
                if (stopping) return;
                failures++;
                if (failures == 1) {
                    LOG.warnf("device change feed is down (%s); caches check the database until it is back", e.getMessage());
                }
            } finally {
                goStale();
            }
            if (!pause(retryDelay(failures))) return;
        }
    }

    private void listen(Connection c, PGConnection pg) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        }
        // Live only once a notification has made the round trip on this connection.
        long first = heartbeatsBack + 1;
        ping(c, first);
        long deadline = System.nanoTime() + HEARTBEAT_DEADLINE.toNanos();
        while (heartbeatsBack < first) {
            if (System.nanoTime() > deadline) throw new SQLException("no notification came back after LISTEN");
            dispatch(pg.getNotifications(100));
        }
        // Anything cached before LISTEN took effect may be stale: start from nothing.
        reset();
        live = true;
        if (wasLive) {
            reconnects.increment();
            LOG.info("device change feed is live again; poll answers are served from memory");
        } else {
            LOG.debug("device change feed is live");
        }
        wasLive = true;
    }

    private void receive(Connection c, PGConnection pg) throws SQLException {
        long sent = heartbeatsBack;
        long sentAt = System.nanoTime();
        while (!stopping) {
            dispatch(pg.getNotifications(250));
            long now = System.nanoTime();
            if (heartbeatsBack < sent && now - sentAt > HEARTBEAT_DEADLINE.toNanos()) {
                throw new SQLException("heartbeat " + sent + " did not come back within " + HEARTBEAT_DEADLINE.toMillis() + " ms");
            }
            if (heartbeatsBack >= sent && now - sentAt > HEARTBEAT.toNanos()) {
                sent = heartbeatsBack + 1;
                sentAt = now;
                ping(c, sent);
            }
        }
    }

    private void ping(Connection c, long n) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_notify('" + CHANNEL + "', '" + PING + instance + ":" + n + "')");
        }
    }

    private void dispatch(PGNotification[] batch) {
        if (batch == null || batch.length == 0) return;
        lastMessageAt = System.nanoTime();
        for (PGNotification n : batch) {
            String payload = n.getParameter().strip();
            if (payload.startsWith(PING)) {
                heartbeat(payload);
                continue;
            }
            try {
                boolean token = payload.endsWith(":t");
                deliver(Long.parseLong(token ? payload.substring(0, payload.length() - 2) : payload), token);
            } catch (NumberFormatException e) {
                LOG.warnf("ignoring device change notification '%s'", payload);
            }
        }
    }

    private void heartbeat(String payload) {
        String mine = PING + instance + ":";
        if (!payload.startsWith(mine)) return; // another replica's
        try {
            heartbeatsBack = Math.max(heartbeatsBack, Long.parseLong(payload.substring(mine.length())));
        } catch (NumberFormatException e) {
            LOG.warnf("ignoring heartbeat '%s'", payload);
        }
    }

    private void deliver(long id, boolean tokenChanged) {
        sequence.incrementAndGet();
        for (Listener l : listeners) {
            try {
                l.changed(id, tokenChanged);
            } catch (RuntimeException e) {
                LOG.error("a device change listener failed", e);
            }
        }
    }

    private void committed(Set<Long> deviceIds) {
        for (CommitListener l : commitListeners) {
            try {
                l.committed(deviceIds);
            } catch (RuntimeException e) {
                LOG.error("a device commit listener failed", e);
            }
        }
    }

    private void goStale() {
        live = false;
        reset();
    }

    private void reset() {
        sequence.incrementAndGet();
        for (Listener l : listeners) l.reset();
    }

    private static Duration retryDelay(int failures) {
        long ms = Math.min(MAX_RETRY.toMillis(), 500L << Math.min(Math.max(failures - 1, 0), 10));
        return Duration.ofMillis(ms);
    }

    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
