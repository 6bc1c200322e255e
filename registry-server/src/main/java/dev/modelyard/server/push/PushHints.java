package dev.modelyard.server.push;

import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.device.DeviceChangeFeed;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jboss.logging.Logger;

/**
 * Push hints: when a transaction of this replica that changed devices' poll answers commits
 * ({@link DeviceChangeFeed#onCommitted}), each of those devices gets
 * {@code {tenant}/devices/{controllerId}/notify} with {@code {"v":<state version>}} on the MQTT
 * broker, and a subscribed updater polls at once. Only the replica that made a change publishes
 * for it, so N replicas do not send N hints. That covers revocations too: the revoking
 * transaction names the devices it reaches ({@code DeploymentService.onRevoked}).
 *
 * <p>Never in the way of the change: the committing thread only adds ids to a bounded queue that
 * keeps each device once ({@link HintQueue}); one publisher thread reads the devices' tenant,
 * controller id and current state version in one query per batch and publishes, paced by
 * {@code modelyard.push.max-per-second}. While the broker cannot be reached, hints are dropped
 * (counted), the thread tries again with back-off, and devices poll on their schedule as without
 * push. Metrics: {@code modelyard_push_published_total}, {@code modelyard_push_dropped_total},
 * {@code modelyard_push_connected}.
 */
@ApplicationScoped
public class PushHints {

    private static final Logger LOG = Logger.getLogger(PushHints.class);
    /** Devices read from the database in one query. */
    private static final int BATCH = 500;
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);

    private final ModelyardConfig.Push config;
    private final DeviceChangeFeed feed;
    private final AgroalDataSource db;
    private final HintQueue queue;
    private final Counter published;
    private final Counter dropped;
    private volatile BrokerLink link;
    private volatile Thread thread;
    private volatile boolean stopping;

    public PushHints(ModelyardConfig config, DeviceChangeFeed feed, AgroalDataSource db, MeterRegistry registry) {
        this.config = config.push();
        this.feed = feed;
        this.db = db;
        this.queue = new HintQueue(this.config.queueSize());
        this.published = Counter.builder("modelyard.push.published")
                .description("Push hints the MQTT broker acknowledged").register(registry);
        this.dropped = Counter.builder("modelyard.push.dropped")
                .description("Push hints not sent (broker unreachable, queue full, no acknowledgement); those devices poll on their schedule")
                .register(registry);
        Gauge.builder("modelyard.push.connected", this, p -> p.connected() ? 1 : 0)
                .description("1 while this replica is connected to the MQTT broker of push hints, else 0 (also when push is off)")
                .register(registry);
    }

    /** Whether push is configured and this replica is connected to the broker now. */
    public boolean connected() {
        BrokerLink l = link;
        return l != null && l.connected();
    }

    /** The topic a device's hints are published on. */
    public static String topic(String tenant, String controllerId) {
        return tenant + "/devices/" + controllerId + "/notify";
    }

    /** The hint: only the device's state version, nothing secret. */
    static String payload(long stateVersion) {
        return "{\"v\":" + stateVersion + "}";
    }

    void onStart(@Observes StartupEvent event) {
        Optional<String> url = config.mqtt().url().filter(u -> !u.isBlank());
        if (url.isEmpty()) {
            LOG.debug("push hints are off (modelyard.push.mqtt.url is not set): devices poll on their schedule");
            return;
        }
        // Unique per replica: a broker disconnects the older of two clients with one id.
        String clientId = "modelyard-server-" + UUID.randomUUID().toString().substring(0, 12);
        link = new BrokerLink(url.get().strip(), clientId, config.mqtt().username(), config.mqtt().passwordFile().map(PushHints::password),
                config.mqtt().maxInflight());
        feed.onCommitted(this::changed);
        Thread t = new Thread(this::run, "push-publisher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        BrokerLink l = link;
        if (l != null) l.close();
    }

    private static char[] password(Path file) {
        try {
            return Files.readString(file).strip().toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("modelyard.push.mqtt.password-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** On the committing thread: hand the ids on, nothing more. */
    private void changed(Set<Long> deviceIds) {
        int refused = queue.offer(deviceIds);
        if (refused > 0) dropped.increment(refused);
    }

    private void run() {
        Pacer pacer = new Pacer(config.maxPerSecond());
        int failures = 0;
        boolean up = false;
        while (!stopping) {
            try {
                if (!link.connected()) {
                    if (up) LOG.warnf("push: lost the connection to %s; devices poll on their schedule until it is back", link.url());
                    up = false;
                    try {
                        link.connect();
                    } catch (MqttException e) {
                        failures++;
                        if (failures == 1) {
                            LOG.warnf("push: cannot reach the MQTT broker %s (%s); hints are dropped and devices poll on their"
                                    + " schedule until it is reachable", link.url(), describe(e));
                        }
                        dropped.increment(queue.clear());
                        Thread.sleep(retryDelay(failures).toMillis());
                        continue;
                    }
                    LOG.infof("push: connected to %s", link.url());
                    up = true;
                    failures = 0;
                }
                publish(queue.take(BATCH, 500), pacer);
            } catch (InterruptedException e) {
                if (stopping) return;
            } catch (RuntimeException e) {
                LOG.error("push: publishing failed", e);
            }
        }
    }

    private void publish(List<Long> deviceIds, Pacer pacer) throws InterruptedException {
        if (deviceIds.isEmpty()) return;
        List<Hint> hints;
        try {
            hints = hints(deviceIds);
        } catch (SQLException e) {
            LOG.warnf("push: cannot read %d devices to hint (%s); they poll on their schedule", deviceIds.size(), e.getMessage());
            dropped.increment(deviceIds.size());
            return;
        }
        for (Hint h : hints) {
            pacer.await();
            link.publish(topic(h.tenant(), h.controllerId()), payload(h.stateVersion()), delivered -> {
                if (delivered) published.increment();
                else dropped.increment();
            });
        }
    }

    private record Hint(String tenant, String controllerId, long stateVersion) {
    }

    /**
     * The devices' addresses and current state versions; deleted devices are left out. Across
     * tenants by nature: the ids come from this replica's committed transactions of any tenant,
     * and the tenant is what is read here (a primary-key lookup, no ORM session).
     */
    private List<Hint> hints(List<Long> deviceIds) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT tenant, controller_id, state_version FROM device WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("bigint", deviceIds.toArray(Long[]::new)));
            List<Hint> hints = new ArrayList<>(deviceIds.size());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) hints.add(new Hint(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
            return hints;
        }
    }

    private Duration retryDelay(int failures) {
        long ms = FIRST_RETRY.toMillis() << Math.min(failures - 1, 16);
        return Duration.ofMillis(Math.min(ms, config.mqtt().reconnectMaxDelay().toMillis()));
    }

    private static String describe(MqttException e) {
        Throwable cause = e.getCause();
        return cause != null ? e.getMessage() + ": " + cause.getMessage() : e.getMessage();
    }
}
