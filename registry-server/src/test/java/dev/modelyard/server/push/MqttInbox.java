package dev.modelyard.server.push;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A real subscriber on the broker the tests use: every message on a topic filter, with when it came. */
final class MqttInbox implements AutoCloseable {

    static final String BROKER = "tcp://127.0.0.1:1883";

    record Message(String topic, String payload, long receivedAtNanos) {
    }

    private final MqttClient client;
    private final List<Message> messages = new CopyOnWriteArrayList<>();

    MqttInbox(String filter) throws MqttException {
        client = new MqttClient(BROKER, "modelyard-test-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        client.connect(options);
        client.subscribe(filter, 1, (topic, m) -> messages.add(
                new Message(topic, new String(m.getPayload(), StandardCharsets.UTF_8), System.nanoTime())));
    }

    List<Message> on(String topic) {
        return messages.stream().filter(m -> m.topic().equals(topic)).toList();
    }

    List<Message> all() {
        return List.copyOf(messages);
    }

    @Override
    public void close() throws MqttException {
        client.disconnect();
        client.close();
    }
}
