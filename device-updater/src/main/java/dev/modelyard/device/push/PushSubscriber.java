package dev.modelyard.device.push;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Listens on the device's hint topic and calls {@code onHint} for every message: the poll loop
 * then polls at once. The message's content is not trusted or needed (the poll asks the server);
 * it is only a nudge. Connects on a thread of its own and, when the broker cannot be reached or
 * the connection is lost, tries again with growing, jittered pauses, so a fleet that lost its
 * broker together does not come back together. Hints sent while it is not connected are lost:
 * after each successful subscribe it calls {@code onHint} once, so that the poll covers them.
 * Logs once per change of state, not per attempt.
 */
public final class PushSubscriber implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PushSubscriber.class.getName());
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofMinutes(5);
    private static final int CONNECT_TIMEOUT_SECONDS = 30;
    private static final int KEEP_ALIVE_SECONDS = 60;

    private final PushSettings settings;
    private final String topic;
    private final String clientId;
    private final Runnable onHint;
    private final Object lost = new Object();
    private volatile boolean connectionLost;
    private volatile boolean stopping;
    private volatile boolean connected;
    private Thread thread;

    public PushSubscriber(PushSettings settings, String tenant, String controllerId, Runnable onHint) {
        this.settings = settings;
        this.topic = PushSettings.topic(tenant, controllerId);
        // One per device: a broker disconnects the older of two clients with the same id.
        this.clientId = "modelyard-" + tenant + "-" + controllerId;
        this.onHint = onHint;
    }

    public String topic() {
        return topic;
    }

    /** Whether it is subscribed now. */
    public boolean connected() {
        return connected;
    }

    public synchronized void start() {
        if (thread != null) return;
        thread = new Thread(this::run, "push-subscriber");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        int failures = 0;
        boolean reported = false; // the current state (down) has been logged
        while (!stopping) {
            MqttClient client = null;
            try {
                client = connect();
                connected = true;
                failures = 0;
                reported = false;
                LOG.info("push: listening for hints on " + topic + " at " + settings.url());
                // Hints sent while it was not subscribed are lost (no session on the broker): one
                // poll now covers them, instead of the next scheduled poll minutes away.
                onHint.run();
                awaitLoss();
                connected = false;
                if (!stopping) LOG.warning("push: lost the connection to " + settings.url() + "; polling on schedule until it is back");
                reported = true;
            } catch (MqttException e) {
                connected = false;
                failures++;
                if (!reported) {
                    LOG.warning("push: cannot subscribe at " + settings.url() + " (" + describe(e) + "); polling on schedule, trying again");
                    reported = true;
                }
            } catch (RuntimeException e) {
                connected = false;
                failures++;
                LOG.log(Level.SEVERE, "push: subscriber failed: " + e, e);
            } finally {
                close(client);
            }
            if (!stopping) pause(retryDelay(failures));
        }
    }

    private MqttClient connect() throws MqttException {
        MqttClient client = new MqttClient(settings.url(), clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        // No session kept on the broker: a hint missed while away is covered by the next poll.
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setUserName(settings.username());
        settings.password().ifPresent(options::setPassword);
        connectionLost = false;
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                synchronized (lost) {
                    connectionLost = true;
                    lost.notifyAll();
                }
            }

            @Override
            public void messageArrived(String t, MqttMessage message) {
                onHint.run();
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        try {
            client.connect(options);
            client.subscribe(topic, 1);
        } catch (MqttException e) {
            close(client);
            throw e;
        }
        return client;
    }

    private void awaitLoss() {
        synchronized (lost) {
            while (!connectionLost && !stopping) {
                try {
                    lost.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void close(MqttClient client) {
        if (client == null) return;
        try {
            if (client.isConnected()) client.disconnect(1000);
        } catch (MqttException e) {
            // going away either way
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // nothing more to free
        }
    }

    /** Doubling from 1 s up to 5 min, each pause drawn between half and all of it. */
    static Duration retryDelay(int failures) {
        long base = Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(Math.max(failures - 1, 0), 16));
        return Duration.ofMillis(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    private void pause(Duration d) {
        synchronized (lost) {
            long end = System.nanoTime() + d.toNanos();
            while (!stopping) {
                long left = end - System.nanoTime();
                if (left <= 0) return;
                try {
                    TimeUnit.NANOSECONDS.timedWait(lost, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String describe(MqttException e) {
        Throwable cause = e.getCause();
        return cause != null && cause.getMessage() != null ? e.getMessage() + ": " + cause.getMessage() : e.getMessage();
    }

    @Override
    public void close() {
        stopping = true;
        synchronized (lost) {
            lost.notifyAll();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
