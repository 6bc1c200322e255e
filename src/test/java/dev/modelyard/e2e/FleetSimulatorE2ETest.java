package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Deployments;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.fleet.ActionTrace;
import dev.modelyard.testing.fleet.Behavior;
import dev.modelyard.testing.fleet.DeviceSpec;
import dev.modelyard.testing.fleet.FleetRegistration;
import dev.modelyard.testing.fleet.FleetSimulator;
import dev.modelyard.testing.fleet.ServingFigures;
import dev.modelyard.testing.fleet.SimDevice;
import dev.modelyard.testing.fleet.SimState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fleet simulator against the real server, with plain deployments (no rollout): what its
 * devices do on the wire is what the server records, so rollout tests can trust what it reports.
 */
class FleetSimulatorE2ETest {

    static final Duration WAIT = ServerProcess.WAIT;
    static final Duration FAST = Duration.ofMillis(200);

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_fleet", "256m", Map.of());
    static ModelyardClient admin;
    static FleetSimulator fleet;

    @BeforeAll
    static void fleet() {
        admin = server.admin();
        fleet = FleetSimulator.builder(server.process().uri("")).mqtt("tcp://127.0.0.1:1883").build().start();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    private static List<SimDevice> devices(String prefix, int count, Behavior behavior) {
        List<DeviceSpec> specs = FleetRegistration.viaApi(admin, "default", prefix, count,
                DeviceSpec.updaterAttributes(), Set.of(prefix));
        return fleet.addAll(specs, behavior);
    }

    private static Fixtures.Release release(String model, String version, float bias) {
        return Fixtures.publishedOnnx(admin, model, version, model + ".onnx", OnnxModels.addBias(bias, bias, bias, bias));
    }

    private static Deployments.Assignment assignByTag(String model, String version, String tag) {
        return admin.deployments().assign(new Deployments.Assign(model, version, null, null, tag, null, null));
    }

    private static Deployments.Action serverAction(SimDevice d) {
        return admin.deployments().actions(Deployments.Filter.device(d.controllerId())).items().get(0);
    }

    @Test
    void devicesDownloadVerifyInstallAndTheServerRecordsEachStep() {
        List<SimDevice> ds = devices("plain", 6, Behavior.healthy().withPollInterval(FAST));
        fleet.awaitAll(ds, d -> d.polls() > 0, WAIT, "every device polled");
        Fixtures.Release r = release("fleet-plain", "1.0.0", 1);
        assertEquals(6, assignByTag("fleet-plain", "1.0.0", "plain").assigned());

        fleet.awaitAll(ds, d -> d.state() == SimState.SUCCEEDED, WAIT, "installed");
        for (SimDevice d : ds) {
            ActionTrace t = d.newest();
            assertEquals("fleet-plain", t.model());
            assertEquals("1.0.0", t.version());
            assertEquals(r.artifact().size(), t.downloadedBytes(), "the whole payload, and only it");
            assertFalse(t.fetchedAt().isBefore(t.seenAt()));
            assertFalse(t.downloadStartedAt().isBefore(t.fetchedAt()));
            assertFalse(t.closedAt().isBefore(t.downloadFinishedAt()));
            assertEquals("1.0.0", d.installedVersion("fleet-plain"));
            Deployments.Action a = serverAction(d);
            assertEquals(t.actionId(), a.id());
            assertEquals("finished", a.status(), a.toString());
            // The attributes went up with configData when the server asked.
            assertEquals("1", admin.devices().get(d.controllerId()).attributes().get("modelyard.updater"));
        }
        assertTrue(fleet.pollLatency().count() > 0);
        assertTrue(fleet.pollLatency().percentile(99).compareTo(Duration.ZERO) > 0);
        assertTrue(fleet.counters().snapshot().notModified() > 0, "unchanged polls are answered 304");
    }

    @Test
    void failuresAreClosedWithTheirReasonAndTheHealthWindowReportsProceedingFirst() {
        List<SimDevice> failing = devices("failing", 3, Behavior.healthy().withPollInterval(FAST).failing("simulated: model crashed"));
        List<SimDevice> watching = devices("watching", 3, Behavior.healthy().withPollInterval(FAST)
                .withHealthWindow(Duration.ofSeconds(2)).withHealth(ServingFigures.erroring(0.25)));
        release("fleet-fail", "1.0.0", 2);
        assignByTag("fleet-fail", "1.0.0", "failing");
        assignByTag("fleet-fail", "1.0.0", "watching");

        fleet.awaitAll(failing, d -> d.state() == SimState.FAILED, WAIT, "failed");
        for (SimDevice d : failing) {
            Deployments.Action a = serverAction(d);
            assertEquals("error", a.status(), a.toString());
            assertTrue(String.valueOf(a.reason()).contains("simulated: model crashed"), a.toString());
        }
        fleet.awaitAll(watching, d -> d.state() == SimState.SUCCEEDED, WAIT, "closed after the health window");
        for (SimDevice d : watching) {
            Deployments.Action a = serverAction(d);
            assertEquals("finished", a.status());
            List<Deployments.Status> history = admin.deployments().statuses(a.id());
            // proceeding is recorded as a running status with the device's message
            assertTrue(history.stream().anyMatch(s -> s.type().equals("running")
                    && s.messages().toString().contains("health window")), history.toString());
            assertTrue(history.stream().anyMatch(s -> s.type().equals("finished")), history.toString());
        }
    }

    @Test
    void aCanceledActionIsConfirmedByTheDevice() {
        // A health window longer than any wait: the action is open when it is canceled.
        List<SimDevice> ds = devices("cancel", 2, Behavior.healthy().withPollInterval(FAST).withHealthWindow(Duration.ofHours(1)));
        release("fleet-cancel", "1.0.0", 3);
        assignByTag("fleet-cancel", "1.0.0", "cancel");
        fleet.awaitAll(ds, d -> d.state() == SimState.HEALTH_WINDOW, WAIT, "in the health window");
        for (SimDevice d : ds) admin.deployments().cancel(serverAction(d).id(), false);
        fleet.awaitAll(ds, d -> d.state() == SimState.CANCELED, WAIT, "canceled");
        for (SimDevice d : ds) assertEquals("canceled", serverAction(d).status());
    }

    @Test
    void offlineDevicesNeverPollLateJoinersComeLaterAndPartialDownloadsFetchOnlyTheirBytes() {
        SimDevice offline = devices("offline", 1, Behavior.healthy().asOffline()).get(0);
        SimDevice late = devices("late", 1, Behavior.healthy().withPollInterval(FAST).joiningAfter(Duration.ofSeconds(2))).get(0);
        SimDevice partial = devices("partial", 1, Behavior.healthy().withPollInterval(FAST).withDownload(16)).get(0);
        release("fleet-misc", "1.0.0", 4);
        for (String tag : List.of("offline", "late", "partial")) assignByTag("fleet-misc", "1.0.0", tag);

        fleet.awaitAll(List.of(late, partial), d -> d.state() == SimState.SUCCEEDED, WAIT, "installed");
        assertEquals(16, partial.newest().downloadedBytes());
        assertEquals(SimState.OFFLINE, offline.state());
        assertEquals(0, offline.polls());
        assertNull(admin.devices().get(offline.controllerId()).lastSeenAt());
        assertEquals("running", serverAction(offline).status(), "the offline device's action stays open");
    }

    @Test
    void anMqttHintMakesTheNamedDevicePollAtOnce() throws Exception {
        // Polls once an hour: only a hint can make it see its deployment within the wait.
        SimDevice d = devices("hinted", 1, Behavior.healthy().withPollInterval(Duration.ofHours(1))).get(0);
        fleet.awaitAll(List.of(d), x -> x.polls() > 0, WAIT, "the first poll");
        assertTrue(fleet.mqttConnected());
        release("fleet-hint", "1.0.0", 5);
        assignByTag("fleet-hint", "1.0.0", "hinted");
        try (MqttClient publisher = new MqttClient("tcp://127.0.0.1:1883", "fleet-test-" + System.nanoTime(), new MemoryPersistence())) {
            publisher.connect();
            publisher.publish("default/devices/" + d.controllerId() + "/notify", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), 0, false);
            publisher.disconnect();
        }
        fleet.awaitAll(List.of(d), x -> x.state() == SimState.SUCCEEDED, WAIT, "installed after the hint");
        assertNotNull(d.newest().closedAt());
        assertTrue(fleet.counters().snapshot().hints() >= 1);
    }
}
