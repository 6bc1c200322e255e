package dev.modelyard.testing.fleet;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One MQTT connection for the whole fleet: subscribed to {@code {tenant}/devices/+/notify} of every
 * tenant with devices, it makes the device a hint names poll at once. The payload (the device's
 * state version) is not needed: any hint means "poll". Reconnects and resubscribes on its own.
 */
final class MqttHints implements MqttCallbackExtended {

    private static final long WAIT_MS = 30_000;
    private final MqttAsyncClient client;
    private final FleetSimulator fleet;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();
    private volatile boolean subscribed;

    MqttHints(String broker, FleetSimulator fleet) {
        this.fleet = fleet;
        try {
            client = new MqttAsyncClient(broker, "modelyard-fleet-" + UUID.randomUUID(), new MemoryPersistence());
            client.setCallback(this);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setAutomaticReconnect(true);
            options.setCleanSession(true);
            options.setMaxInflight(1000);
            client.connect(options).waitForCompletion(WAIT_MS);
        } catch (MqttException e) {
            throw new IllegalStateException("cannot connect to the MQTT broker " + broker + ": " + e.getMessage(), e);
        }
    }

    void subscribe(String tenant) {
        if (!tenants.add(tenant)) return;
        try {
            client.subscribe(topic(tenant), 0).waitForCompletion(WAIT_MS);
            subscribed = true;
        } catch (MqttException e) {
            throw new IllegalStateException("cannot subscribe to " + topic(tenant) + ": " + e.getMessage(), e);
        }
    }

    boolean connected() {
        return subscribed && client.isConnected();
    }

    private static String topic(String tenant) {
        return tenant + "/devices/+/notify";
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        String[] parts = topic.split("/");
        if (parts.length == 4 && parts[1].equals("devices") && parts[3].equals("notify")) fleet.hint(parts[0], parts[2]);
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        if (!reconnect) return;
        for (String tenant : tenants) {
            try {
                client.subscribe(topic(tenant), 0);
            } catch (MqttException e) {
                // The next reconnect tries again; polling goes on meanwhile.
            }
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        // Automatic reconnect; devices keep polling on their timers meanwhile.
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }

    void close() {
        try {
            if (client.isConnected()) client.disconnect().waitForCompletion(5_000);
            client.close();
        } catch (MqttException e) {
            // closing anyway
        }
    }
}
