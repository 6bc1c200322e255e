package dev.modelyard.server.push;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One replica's connection to the MQTT broker. Publishing does not wait for the broker: up to
 * {@code maxInflight} hints may be unacknowledged (QoS 1), each reported once as delivered or
 * not. A lost connection is not reconnected here: the publisher thread calls {@link #connect()}
 * again, with its back-off, on a fresh client (Paho's own reconnect does not cover a first
 * connection that fails).
 */
final class BrokerLink implements AutoCloseable {

    /** QoS 1: the broker acknowledges each hint; a device with a clean session gets it at most once per connection. */
    static final int QOS = 1;
    private static final int CONNECT_TIMEOUT_SECONDS = 10;
    private static final int KEEP_ALIVE_SECONDS = 30;
    /** A broker that acknowledges nothing for this long is treated as gone for the hint at hand. */
    private static final int ACK_WAIT_SECONDS = 10;

    private final String url;
    private final String clientId;
    private final Optional<String> username;
    private final Optional<char[]> password;
    private final int maxInflight;
    /** A fresh one per connection: acknowledgements a lost connection never delivers cannot hold up the next. */
    private volatile Semaphore inflight;
    private volatile MqttAsyncClient client;

    BrokerLink(String url, String clientId, Optional<String> username, Optional<char[]> password, int maxInflight) {
        if (maxInflight < 1) throw new IllegalArgumentException("max-inflight must be at least 1");
        this.url = url;
        this.clientId = clientId;
        this.username = username;
        this.password = password;
        this.maxInflight = maxInflight;
    }

    String url() {
        return url;
    }

    boolean connected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    /** Connects a fresh client, replacing a broken one; throws when the broker cannot be reached or refuses. */
    void connect() throws MqttException {
        closeClient();
        MqttAsyncClient c = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        options.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        options.setMaxInflight(maxInflight);
        username.ifPresent(options::setUserName);
        password.ifPresent(options::setPassword);
        try {
            c.connect(options).waitForCompletion(TimeUnit.SECONDS.toMillis(CONNECT_TIMEOUT_SECONDS + 5L));
        } catch (MqttException e) {
            close(c);
            throw e;
        }
        inflight = new Semaphore(maxInflight);
        client = c;
    }

    /**
     * Sends one message, not retained; {@code done} hears true once the broker acknowledged it,
     * false when it cannot be sent. Waits only while {@code maxInflight} messages are unacknowledged.
     */
    void publish(String topic, String payload, Consumer<Boolean> done) throws InterruptedException {
        MqttAsyncClient c = client;
        Semaphore inflight = this.inflight;
        if (c == null || !c.isConnected() || !inflight.tryAcquire(ACK_WAIT_SECONDS, TimeUnit.SECONDS)) {
            done.accept(false);
            return;
        }
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(QOS);
        message.setRetained(false);
        try {
            c.publish(topic, message, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    inflight.release();
                    done.accept(true);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    inflight.release();
                    done.accept(false);
                }
            });
        } catch (MqttException | RuntimeException e) {
            inflight.release();
            done.accept(false);
        }
    }

    @Override
    public void close() {
        closeClient();
    }

    private void closeClient() {
        MqttAsyncClient c = client;
        client = null;
        if (c != null) close(c);
    }

    private static void close(MqttAsyncClient c) {
        try {
            if (c.isConnected()) c.disconnect(1000).waitForCompletion(2000);
        } catch (MqttException e) {
            // going away either way
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            // nothing more to free
        }
    }
}
