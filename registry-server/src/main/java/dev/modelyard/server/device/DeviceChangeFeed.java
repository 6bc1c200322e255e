package dev.modelyard.server.device;

import dev.modelyard.server.config.ModelyardConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
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
 */
@ApplicationScoped
public class DeviceChangeFeed {

    public static final String CHANNEL = "modelyard_device";
    private static final Logger LOG = Logger.getLogger(DeviceChangeFeed.class);
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);

    /** Receives changes on the feed's thread: keep it to in-memory work. */
    public interface Listener {
        void changed(long deviceId);

        /** Changes may have been missed: forget everything. */
        void reset();
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final boolean enabled;
    private final String url;
    private final Properties credentials = new Properties();
    private volatile boolean live;
    private volatile boolean stopping;
    private volatile Thread thread;

    public DeviceChangeFeed(ModelyardConfig config, @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.enabled = config.ddi().changeFeed();
        this.url = url;
        user.ifPresent(u -> credentials.setProperty("user", u));
        password.ifPresent(p -> credentials.setProperty("password", p));
        credentials.setProperty("ApplicationName", "modelyard-device-feed");
        // A silently dropped connection must end in an error, not in a feed that waits forever.
        credentials.setProperty("tcpKeepAlive", "true");
    }

    public void subscribe(Listener listener) {
        listeners.add(listener);
    }

    /** True while every change since the last reset has been (or is about to be) delivered. */
    public boolean live() {
        return live;
    }

    /** Grows with every change and reset this replica receives. */
    public long sequence() {
        return sequence.get();
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
                listen(c);
                failures = 0;
                receive(c.unwrap(PGConnection.class));
            } catch (SQLException e) {
                if (stopping) return;
                failures++;
                if (failures == 1) LOG.warnf("device change feed lost its connection (%s); caches check the database until it is back", e.getMessage());
            } finally {
                goStale();
            }
            if (!pause(retryDelay(failures))) return;
        }
    }

    private void listen(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + CHANNEL);
        }
        // Anything cached before LISTEN took effect may be stale: start from nothing.
        reset();
        live = true;
        LOG.debug("device change feed is live");
    }

    private void receive(PGConnection pg) throws SQLException {
        while (!stopping) {
            PGNotification[] batch = pg.getNotifications(1000);
            if (batch == null) continue;
            for (PGNotification n : batch) {
                deliver(n.getParameter());
            }
        }
    }

    private void deliver(String payload) {
        long id;
        try {
            id = Long.parseLong(payload.strip());
        } catch (NumberFormatException e) {
            LOG.warnf("ignoring device change notification '%s'", payload);
            return;
        }
        sequence.incrementAndGet();
        for (Listener l : listeners) l.changed(id);
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
