package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push from end to end: the server process publishes hints on the real MQTT broker, the updater
 * process subscribes and polls every 10 minutes only; a deployment still reaches it within
 * seconds. The device's controller id is unique per run, so parallel runs on the broker do not
 * hear each other.
 */
class PushE2ETest {

    static final String BROKER = "tcp://127.0.0.1:1883";
    /** Far beyond the deadline below: only a push hint can bring the deployment in time. */
    static final Duration POLL = Duration.ofMinutes(10);
    static final Duration DEPLOYMENT_DEADLINE = Duration.ofSeconds(90);
    private static final Pattern CONNECTED = Pattern.compile("(?m)^modelyard_push_connected(?:\\{[^}]*})? ([0-9.eE+-]+)$");

    @TempDir
    Path work;

    private static boolean serverConnected(DeviceRig rig) throws Exception {
        URI metrics = rig.api.uri("/q/metrics");
        HttpResponse<String> r = DeviceRig.HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = CONNECTED.matcher(r.body());
        return r.statusCode() == 200 && m.find() && Double.parseDouble(m.group(1)) == 1.0;
    }

    private static Deployments.Action action(DeviceRig rig, String device) {
        List<Deployments.Action> actions = rig.api.deployments().actions(Deployments.Filter.device(device)).items();
        assertEquals(1, actions.size(), actions.toString());
        return actions.get(0);
    }

    @Test
    void aDeploymentReachesTheDeviceWithinSecondsDespiteATenMinutePollInterval() throws Exception {
        String id = "push-" + UUID.randomUUID().toString().substring(0, 8);
        try (DeviceRig rig = DeviceRig.start(work, "e2e_push", Map.of("MODELYARD_PUSH_MQTT_URL", BROKER), "96m")) {
            Devices.Device device = Fixtures.device(rig.api, id);
            rig.configure("controller.id=" + id, "token=" + device.token(), "poll.override=" + POLL.toMinutes() + "m",
                    "health.window=0s", "push.mqtt.url=" + BROKER);
            rig.release("1.0.0", OnnxModels.addBias(1, 1, 1, 1));
            rig.startUpdater();
            rig.await("the device reports its attributes", DeviceRig.WAIT,
                    () -> rig.api.devices().get(id).attributes().containsKey("runtime.onnxruntime"));
            rig.await("the updater subscribes", DeviceRig.WAIT, () -> rig.updaterLog().contains("push: listening for hints on default/devices/" + id + "/notify"));
            rig.await("the server connects to the broker", DeviceRig.WAIT, () -> serverConnected(rig));
            assertTrue(rig.updaterLog().contains("next poll in 10m"), rig.updaterLog());

            long start = System.nanoTime();
            Fixtures.assign(rig.api, "kws", "1.0.0", id);
            rig.await("the device installs 1.0.0", DEPLOYMENT_DEADLINE, () -> !action(rig, id).active());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals("finished", action(rig, id).status(), rig.updaterLog());
            assertTrue(took.compareTo(POLL) < 0, "took " + took);
            rig.awaitServed("1.0.0");
        }
    }
}
