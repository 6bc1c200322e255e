package dev.modelyard.device.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Mosquitto example the README gives (docs/mosquitto/acl, with passwords made as
 * docs/mosquitto/passwords.md says) in a real Mosquitto of its own on a free port: the server's
 * user may publish every device's hint, a device hears its own hints only, and an updater that
 * logs in as its controller id (the default) is woken by them.
 */
class MosquittoExampleTest {

    @TempDir
    Path dir;

    private Process broker;
    private String url;

    private static final String SERVER_PASSWORD = "server-" + UUID.randomUUID();
    private static final String CAM_A_PASSWORD = "cam-a-" + UUID.randomUUID();
    private static final String CAM_B_PASSWORD = "cam-b-" + UUID.randomUUID();

    @BeforeEach
    void startBroker() throws Exception {
        Path passwd = dir.resolve("passwd");
        passwd(passwd, "-c", "modelyard-server", SERVER_PASSWORD);
        passwd(passwd, null, "cam-a", CAM_A_PASSWORD);
        passwd(passwd, null, "cam-b", CAM_B_PASSWORD);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // The example's settings, with this test's files and port.
        String conf = Files.readString(Path.of("../docs/mosquitto/mosquitto.conf"))
                .replace("/mosquitto/config/passwd", passwd.toString())
                .replace("/mosquitto/config/acl", Path.of("../docs/mosquitto/acl").toAbsolutePath().normalize().toString())
                .replace("listener 1883", "listener " + port + " 127.0.0.1")
                // Started as root, Mosquitto switches to its own user, which cannot read this test's private directory.
                + "\nuser " + System.getProperty("user.name") + "\n";
        Path confFile = Files.writeString(dir.resolve("mosquitto.conf"), conf);
        broker = new ProcessBuilder("mosquitto", "-c", confFile.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        url = "tcp://127.0.0.1:" + port;
        int p = port;
        await("mosquitto listens on " + port, () -> {
            try (Socket s = new Socket("127.0.0.1", p)) {
                return true;
            } catch (IOException notYet) {
                if (!broker.isAlive()) throw new AssertionError("mosquitto exited: " + log());
                return false;
            }
        });
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @AfterEach
    void stopBroker() throws Exception {
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(20, TimeUnit.SECONDS)) broker.destroyForcibly();
        }
    }

    private static void passwd(Path file, String create, String user, String password) throws Exception {
        List<String> cmd = create == null ? List.of("mosquitto_passwd", "-b", file.toString(), user, password)
                : List.of("mosquitto_passwd", create, "-b", file.toString(), user, password);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    private MqttClient client(String user, String password) throws MqttException {
        MqttClient c = new MqttClient(url, "test-" + user + "-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        c.connect(o);
        return c;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static void publish(MqttClient c, String topic, String payload) throws MqttException {
        c.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    @Test
    void eachDeviceHearsItsOwnHintsAndTheServerMayPublishAll() throws Exception {
        MqttClient server = client("modelyard-server", SERVER_PASSWORD);
        MqttClient camA = client("cam-a", CAM_A_PASSWORD);
        List<String> heardByA = new CopyOnWriteArrayList<>();
        // Asking for every device's topic is allowed to be asked, but only its own is delivered.
        camA.subscribe("default/devices/+/notify", 1, (t, m) -> heardByA.add(t));
        MqttClient camB = client("cam-b", CAM_B_PASSWORD);
        List<String> heardByB = new CopyOnWriteArrayList<>();
        camB.subscribe("default/devices/cam-b/notify", 1, (t, m) -> heardByB.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
        AtomicInteger woken = new AtomicInteger();
        try (PushSubscriber updaterB = new PushSubscriber(new PushSettings(url, "cam-b", Optional.of(CAM_B_PASSWORD.toCharArray())),
                "default", "cam-b", woken::incrementAndGet)) {
            updaterB.start();
            await("the updater of cam-b subscribes", updaterB::connected);
            // Each subscribe wakes the updater once by itself (hints sent while away are lost): that
            // wake comes first, so the hint's is the second whenever the test gets to look.
            await("the poll after subscribing", () -> woken.get() >= 1);

            publish(server, "default/devices/cam-b/notify", "{\"v\":1}");
            await("cam-b's updater is woken", () -> woken.get() == 2);
            // A device may not publish hints, not even to itself: refused by the ACL, so never delivered.
            publish(camA, "default/devices/cam-b/notify", "{\"v\":99}");
            publish(server, "default/devices/cam-a/notify", "{\"v\":2}");
            await("cam-a hears its own hint", () -> heardByA.contains("default/devices/cam-a/notify"));
            // The marker came after both: had either been delivered, it would have been by now.
            publish(server, "default/devices/cam-b/notify", "{\"v\":3}");
            await("cam-b hears the second hint", () -> heardByB.contains("{\"v\":3}"));
            assertEquals(List.of("default/devices/cam-a/notify"), heardByA);
            assertEquals(List.of("{\"v\":1}", "{\"v\":3}"), heardByB, "cam-a's publication must not reach cam-b");
            await("cam-b's updater is woken by the second hint", () -> woken.get() >= 3);
            assertEquals(3, woken.get(), "the subscribe and the two hints for cam-b, nothing else");
        } finally {
            camB.disconnect();
            camA.disconnect();
            server.disconnect();
        }
    }
}
