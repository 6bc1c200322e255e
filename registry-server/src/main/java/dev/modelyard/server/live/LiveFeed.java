package dev.modelyard.server.live;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * This replica's ear on channel {@value LiveEvents#CHANNEL}: one connection that LISTENs and hands
 * every event, whichever replica published it, to {@link LiveHub}. It follows the rules of
 * {@code device.DeviceChangeFeed} (its own connection, not the pool's; a heartbeat it sends itself
 * every {@link #HEARTBEAT}, so a connection that looks open but delivers nothing is noticed;
 * reconnection after 0.5 s, 1 s, 2 s … up to {@link #MAX_RETRY}). It does not share that feed's
 * connection: the device feed's liveness decides whether polls are served from memory, and
 * thousands of console events must not delay its heartbeats.
 *
 * <p>Events published while the connection was down are lost: when it comes back, the hub ends
 * every open stream, so each client reconnects and re-reads what it shows.
 */
@ApplicationScoped
public class LiveFeed {

    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    static final Duration HEARTBEAT_DEADLINE = Duration.ofSeconds(3);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final String PING = "ping:";
    private static final Logger LOG = Logger.getLogger(LiveFeed.class);

    private final LiveHub hub;
    private final String url;
    private final Properties credentials = new Properties();
    private final String instance = UUID.randomUUID().toString();
    private volatile boolean stopping;
    private volatile Thread thread;
    private volatile long heartbeatsBack;
    private volatile boolean live;
    private boolean wasLive;

    public LiveFeed(LiveHub hub, @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
                    @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                    @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.hub = hub;
        this.url = url;
        user.ifPresent(u -> credentials.setProperty("user", u));
        password.ifPresent(p -> credentials.setProperty("password", p));
        credentials.setProperty("ApplicationName", "modelyard-live-feed");
        credentials.setProperty("tcpKeepAlive", "true");
        credentials.setProperty("socketTimeout", Long.toString(HEARTBEAT.plus(HEARTBEAT_DEADLINE).toSeconds() * 2));
    }

    /** True while events from every replica reach this one. */
    public boolean live() {
        return live;
    }

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(() -> run(hub::received), "live-feed");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    private void run(BiConsumer<String, String> deliver) {
        int failures = 0;
        while (!stopping) {
            try (Connection c = DriverManager.getConnection(url, credentials)) {
                PGConnection pg = c.unwrap(PGConnection.class);
                listen(c, pg, deliver);
                failures = 0;
                receive(c, pg, deliver);
            } catch (Exception e) {
                if (stopping) return;
                if (++failures == 1) LOG.warnf("live feed is down (%s); open event streams are ended when it is back", e.getMessage());
            } finally {
                live = false;
            }
            try {
                Thread.sleep(Math.min(MAX_RETRY.toMillis(), 500L << Math.min(Math.max(failures - 1, 0), 10)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void listen(Connection c, PGConnection pg, BiConsumer<String, String> deliver) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + LiveEvents.CHANNEL);
        }
        long first = heartbeatsBack + 1;
        ping(c, first);
        long deadline = System.nanoTime() + HEARTBEAT_DEADLINE.toNanos();
        while (heartbeatsBack < first) {
            if (System.nanoTime() > deadline) throw new SQLException("no notification came back after LISTEN");
            dispatch(pg.getNotifications(100), deliver);
        }
        live = true;
        if (wasLive) {
            LOG.info("live feed is live again; open event streams are ended so that clients re-read");
            hub.endAll();
        }
        wasLive = true;
    }

    private void receive(Connection c, PGConnection pg, BiConsumer<String, String> deliver) throws SQLException {
        long sent = heartbeatsBack;
        long sentAt = System.nanoTime();
        while (!stopping) {
            dispatch(pg.getNotifications(250), deliver);
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
            s.execute("SELECT pg_notify('" + LiveEvents.CHANNEL + "', '" + PING + instance + ":" + n + "')");
        }
    }

    private void dispatch(PGNotification[] batch, BiConsumer<String, String> deliver) {
        if (batch == null) return;
        for (PGNotification n : batch) {
            String payload = n.getParameter();
            if (payload.startsWith(PING)) {
                String mine = PING + instance + ":";
                if (payload.startsWith(mine)) {
                    try {
                        heartbeatsBack = Math.max(heartbeatsBack, Long.parseLong(payload.substring(mine.length())));
                    } catch (NumberFormatException e) {
                        LOG.warnf("ignoring live heartbeat '%s'", payload);
                    }
                }
                continue;
            }
            deliver.accept(n.getName(), payload);
        }
    }
}
