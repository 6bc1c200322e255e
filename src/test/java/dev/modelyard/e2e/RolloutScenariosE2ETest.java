package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Deployments;
import dev.modelyard.client.Devices;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Rollouts;
import dev.modelyard.client.Rollouts.Gate;
import dev.modelyard.client.Rollouts.NewRollout;
import dev.modelyard.client.Rollouts.Phase;
import dev.modelyard.client.Rollouts.Rollout;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.fleet.Behavior;
import dev.modelyard.testing.fleet.DeviceSpec;
import dev.modelyard.testing.fleet.FleetRegistration;
import dev.modelyard.testing.fleet.FleetSimulator;
import dev.modelyard.testing.fleet.ServingFigures;
import dev.modelyard.testing.fleet.SimDevice;
import dev.modelyard.testing.fleet.SimState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rollout scenarios of fleet rollouts, end to end: the packaged server on a real database, a
 * fleet of simulated DDI devices, and the rollout API over HTTP. The scenarios share one server
 * (each with its own model, devices and tag, so they cannot see each other) and each waits for
 * conditions, never for time.
 */
class RolloutScenariosE2ETest {

    static final Duration WAIT = ServerProcess.WAIT;
    static final Duration POLL = Duration.ofMillis(250);
    static final Behavior HEALTHY = Behavior.healthy().withPollInterval(POLL);

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_rollouts", "384m", Map.of(
            "MODELYARD_ROLLOUT_TICK_INTERVAL", "PT0.2S",
            "MODELYARD_ROLLOUT_SAMPLE_INTERVAL", "PT1S"));
    static ModelyardClient admin;
    static ModelyardClient approver;
    static FleetSimulator fleet;

    @BeforeAll
    static void fleet() {
        admin = server.admin();
        approver = server.process().client(Fixtures.token(admin, "approver", "operator").token());
        fleet = FleetSimulator.builder(server.process().uri("")).build().start();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) fleet.close();
    }

    // ---- scenarios ----

    @Test
    void phasesAdvanceThroughAPassingHealthGateUntilEveryDeviceRunsTheVersion() {
        List<SimDevice> devices = devices("advance", 8, i -> HEALTHY);
        release("advance", "1.0.0");
        Rollout r = admin.rollouts().create(NewRollout.of("advance-1", "advance", "1.0.0", "tag==advance")
                .phases(Phase.count("canary", 2).success(100, 2).gate(new Gate(0.05, 1.5, null, true, 2, 100L, "PT5M")),
                        Phase.count("three", 3).success(100, 3),
                        Phase.percent("rest", 100).success(100, 3))
                .started());

        Rollout done = awaitRollout(r.id(), x -> x.state().equals("succeeded"), "succeeded");
        assertEquals(8, done.counts().succeeded(), "each phase waited for all of its devices");
        fleet.awaitAll(devices, d -> d.state() == SimState.SUCCEEDED, WAIT, "every device saw its success recorded");
        assertEquals(List.of(2, 3, 3), done.phases().stream().map(Phase::devices).toList());
        for (Phase p : done.phases()) assertEquals("passed", p.state(), p.toString());
        assertEquals("pass", done.phases().get(0).gateVerdict().outcome());
        for (int i = 1; i < done.phases().size(); i++) {
            assertFalse(done.phases().get(i).startedAt().isBefore(done.phases().get(i - 1).finishedAt()),
                    "phase " + i + " started only after phase " + (i - 1) + " passed");
        }
        for (SimDevice d : devices) {
            assertEquals("1.0.0", d.installedVersion("advance"));
            assertEquals(1, actions(d, "advance").size(), "one action per device");
        }
        assertPhasesStartedOnce(r.id(), 3);
        assertFalse(admin.rollouts().progress(r.id()).isEmpty(), "the time series has samples");
    }

    @Test
    void theFailureBudgetPausesTheRolloutBeforeTheNextPhase() {
        // Devices register in order and phases select in id order: the canary holds the 4 failing ones. The canary
        // accepts any success rate and waits for all of its devices, so only the budget can stop the rollout.
        List<SimDevice> devices = devices("budget", 10, i -> i < 4 ? HEALTHY.failing("simulated: the model crashes") : HEALTHY);
        release("budget", "1.0.0");
        Rollout r = admin.rollouts().create(NewRollout.of("budget-1", "budget", "1.0.0", "tag==budget")
                .phases(Phase.count("canary", 5).success(0, 5), Phase.percent("rest", 100))
                .failureBudget(Rollouts.FailureBudget.of(20, 4, "pause"))
                .started());

        Rollout paused = awaitRollout(r.id(), x -> x.state().equals("paused"), "paused");
        assertTrue(paused.stateReason() != null && paused.stateReason().startsWith("failure budget"), paused.stateReason());
        assertTrue(paused.failureBudget().failed() >= 1, paused.failureBudget().toString());
        assertTrue(paused.failureBudget().burnPct() > 100, paused.failureBudget().toString());
        assertEquals("pending", paused.phases().get(1).state());
        for (SimDevice d : devices.subList(5, 10)) {
            assertEquals(SimState.IDLE, d.state(), d.toString());
            assertTrue(actions(d, "budget").isEmpty(), "no device of the next phase was assigned");
        }
    }

    @Test
    void aSpentFailureBudgetRollsEveryTouchedDeviceBackToItsPreviousVersion() {
        // Half the devices cannot run 2.0.0; every device runs 1.0.0 fine.
        List<SimDevice> devices = devices("rollback", 6, i -> i % 2 == 0 ? HEALTHY.failingVersion("2.0.0", "simulated: 2.0.0 crashes") : HEALTHY);
        release("rollback", "1.0.0");
        admin.deployments().assign(new Deployments.Assign("rollback", "1.0.0", null, null, "rollback", null, null));
        fleet.awaitAll(devices, d -> "1.0.0".equals(d.installedVersion("rollback")), WAIT, "1.0.0 installed");
        release("rollback", "2.0.0");
        // The phase waits for all six devices (a phase is judged once minSamples executed), so the budget decides.
        Rollout r = admin.rollouts().create(NewRollout.of("rollback-1", "rollback", "2.0.0", "tag==rollback")
                .phases(Phase.percent("all", 100).success(0, 6))
                .failureBudget(Rollouts.FailureBudget.of(10, 2, "rollback"))
                .started());

        Rollout rolledBack = awaitRollout(r.id(), x -> x.state().equals("rolled-back") || x.state().equals("failed"), "rolled back");
        assertEquals("rolled-back", rolledBack.state(), rolledBack.stateReason());
        // Devices that installed 2.0.0 got 1.0.0 back: a downgrade they accept only with a rollback authorization.
        fleet.awaitAll(devices, d -> "1.0.0".equals(d.installedVersion("rollback")) && d.state().closed(), WAIT, "back on 1.0.0");
        for (Rollouts.RolloutDevice d : admin.rollouts().devices(r.id(), Rollouts.DeviceFilter.all()).items()) {
            assertEquals("1.0.0", d.previousVersion(), d.toString());
            assertTrue(Set.of("rolled-back", "failed", "cancelled").contains(d.state()), d.toString());
        }
        for (SimDevice d : devices) {
            List<Devices.Installed> installed = admin.devices().get(d.controllerId()).installed();
            assertEquals(List.of("1.0.0"), installed.stream().filter(i -> i.model().equals("rollback")).map(Devices.Installed::version).toList());
        }
        assertTrue(devices.stream().anyMatch(d -> d.traces().stream().anyMatch(t -> "2.0.0".equals(t.version())
                && t.state() == SimState.SUCCEEDED)), "some devices had installed 2.0.0 before the rollback");
    }

    @Test
    void aHealthGateStopsAModelWhoseDevicesReportAHighErrorRate() {
        // The devices install fine and close with success: only their serving health says the model is bad.
        List<SimDevice> devices = devices("gate", 6, i -> HEALTHY.withHealth(ServingFigures.erroring(0.3)));
        release("gate", "1.0.0");
        Rollout r = admin.rollouts().create(NewRollout.of("gate-1", "gate", "1.0.0", "tag==gate")
                .phases(Phase.count("canary", 3).gate(new Gate(0.05, null, null, false, 3, 100L, "PT5M")),
                        Phase.percent("rest", 100))
                .started());

        Rollout stopped = awaitRollout(r.id(), x -> x.state().equals("paused"), "paused by the gate");
        Phase canary = stopped.phases().get(0);
        assertEquals("fail", canary.gateVerdict().outcome(), canary.toString());
        assertTrue(canary.gateVerdict().reason().contains("error"), canary.gateVerdict().reason());
        assertEquals(3, canary.counts().succeeded(), "the canary's devices all closed with success");
        assertEquals("pending", stopped.phases().get(1).state());
        for (SimDevice d : devices.subList(3, 6)) assertTrue(actions(d, "gate").isEmpty(), d.toString());
    }

    @Test
    void approvalHoldsTheRolloutAndAPhaseAndTheCreatorCannotApprove() {
        List<SimDevice> devices = devices("approval", 4, i -> HEALTHY);
        release("approval", "1.0.0");
        Rollout r = admin.rollouts().create(NewRollout.of("approval-1", "approval", "1.0.0", "tag==approval")
                // minSamples 2: by default a phase ends at its first executed device, and this test counts both.
                .phases(Phase.count("first", 2).success(100, 2), Phase.percent("second", 100).needsApproval())
                .needsApproval().started());
        assertEquals("waiting-for-approval", admin.rollouts().get(r.id()).state());
        assertEquals("self-approval", Fixtures.refused(() -> admin.rollouts().approve(r.id())).code());
        approver.rollouts().approve(r.id());

        Rollout held = awaitRollout(r.id(), x -> x.phases().get(1).state().equals("waiting-for-approval"), "the second phase waits");
        assertEquals(2, held.counts().succeeded());
        // A simulated device records its success once the server has answered its feedback: wait for that answer.
        fleet.awaitCount(devices, d -> d.state() == SimState.SUCCEEDED, 2, WAIT, "the first phase ran");
        assertEquals(2, devices.stream().filter(d -> d.state() == SimState.IDLE).count(), "the second phase holds");
        assertEquals("self-approval", Fixtures.refused(() -> admin.rollouts().approve(r.id())).code());
        approver.rollouts().approve(r.id());

        awaitRollout(r.id(), x -> x.state().equals("succeeded"), "succeeded after the phase's approval");
        fleet.awaitAll(devices, d -> d.state() == SimState.SUCCEEDED, WAIT, "every device installed");
        Rollout done = admin.rollouts().get(r.id());
        assertNotNull(done.approvedBy());
        assertFalse(done.approvedBy().equals(done.createdBy()), "approved by someone else than the creator");
        assertNotNull(done.phases().get(1).approvedBy());
        assertTrue(admin.rollouts().events(r.id()).stream().anyMatch(e -> e.kind().equals("phase-approved")),
                "the phase's approval is in the history");
    }

    @Test
    void aClosedMaintenanceWindowHoldsTheUpdate() {
        List<SimDevice> devices = devices("window", 3, i -> HEALTHY);
        release("window", "1.0.0");
        // Open for one minute on the 1st of January: closed now, and all through the test.
        Instant now = Instant.now();
        String closed = now.atZone(java.time.ZoneOffset.UTC).getMonthValue() == 1 ? "0 0 1 7 *" : "0 0 1 1 *";
        Rollout r = admin.rollouts().create(NewRollout.of("window-1", "window", "1.0.0", "tag==window")
                .maintenanceWindow(new Rollouts.MaintenanceWindow(closed, "PT1M", "UTC"))
                .started());

        fleet.awaitAll(devices, d -> d.state() == SimState.WAITING_FOR_WINDOW, WAIT, "waiting for the window");
        for (SimDevice d : devices) {
            assertNotNull(d.newest().downloadFinishedAt(), "downloads are allowed outside the window");
            assertEquals(null, d.installedVersion("window"));
            assertTrue(actions(d, "window").get(0).active(), "the action stays open");
        }
        assertEquals(0, admin.rollouts().get(r.id()).counts().succeeded());
        admin.rollouts().cancel(r.id());
        fleet.awaitAll(devices, d -> d.state() == SimState.CANCELED, WAIT, "canceled");
    }

    @Test
    void devicesThatComeToMatchTheFilterJoinADynamicRollout() {
        List<SimDevice> devices = devices("dynamic", 2, i -> HEALTHY);
        // An offline device keeps the phase open (it never executes), as part of a fleet always does.
        devices.addAll(devices("dynamic-offline", 1, i -> HEALTHY.asOffline(), "dynamic"));
        release("dynamic", "1.0.0");
        Rollout r = admin.rollouts().create(NewRollout.of("dynamic-1", "dynamic", "1.0.0", "tag==dynamic")
                .phases(Phase.percent("all", 100).bake("PT1H")).dynamic(null).started());
        fleet.awaitAll(devices.subList(0, 2), d -> d.state() == SimState.SUCCEEDED, WAIT, "the first devices installed");

        // One registers with the tag, one is tagged later: both join the running phase.
        SimDevice registered = devices("dynamic-new", 1, i -> HEALTHY, "dynamic").get(0);
        SimDevice retagged = devices("dynamic-later", 1, i -> HEALTHY, "elsewhere").get(0);
        admin.devices().update(retagged.controllerId(), new Devices.DevicePatch(null, null, Set.of("dynamic")));
        fleet.awaitAll(List.of(registered, retagged), d -> d.state() == SimState.SUCCEEDED, WAIT, "the joiners installed");

        Rollout joined = admin.rollouts().get(r.id());
        assertEquals("running", joined.state());
        assertEquals(5, joined.phases().get(0).devices());
        // Both joined (the phase counts them, and they installed). Not an exact count of "device-joined" entries:
        // a device that comes to match can also be taken by the phase's own next batch selection (the last phase
        // takes every matching device that remains) before its change event reaches the join; it is then a
        // member selected with its batch, which the trail records as the batch, not as a join.
        var joinedEvents = admin.rollouts().events(r.id()).stream().filter(e -> e.kind().equals("device-joined")).toList();
        assertFalse(joinedEvents.isEmpty(), "the trail records the joins: " + admin.rollouts().events(r.id()));
        admin.rollouts().cancel(r.id());
        awaitRollout(r.id(), x -> x.state().equals("cancelled"), "cancelled");
    }

    @Test
    void cancelLeavesNoDeviceHalfWay() {
        // A health window longer than the test: the first phase's devices hold open actions when the rollout is
        // cancelled, and the second phase waits for an approval nobody gives, so the others stay unassigned however
        // long the cancel takes to arrive.
        List<SimDevice> devices = devices("cancel", 6, i -> HEALTHY.withHealthWindow(Duration.ofHours(1)));
        release("cancel", "1.0.0");
        Rollout r = admin.rollouts().create(NewRollout.of("cancel-1", "cancel", "1.0.0", "tag==cancel")
                .phases(Phase.count("first", 3), Phase.percent("rest", 100).needsApproval()).started());
        fleet.awaitCount(devices, d -> d.state() == SimState.HEALTH_WINDOW, 3, WAIT, "three devices mid-update");

        admin.rollouts().cancel(r.id());
        awaitRollout(r.id(), x -> x.state().equals("cancelled"), "cancelled");
        fleet.awaitAll(devices, d -> d.state() == SimState.CANCELED || d.state() == SimState.IDLE, WAIT, "each canceled or untouched");
        ServerProcess.await("no open action of the rollout", () -> openActions("cancel") == 0);
        assertEquals(3, devices.stream().filter(d -> d.state() == SimState.CANCELED).count());
        for (SimDevice d : devices) {
            if (d.state() == SimState.IDLE) assertTrue(actions(d, "cancel").isEmpty(), d.toString());
            assertEquals(null, d.installedVersion("cancel"));
        }
        for (Rollouts.RolloutDevice d : admin.rollouts().devices(r.id(), Rollouts.DeviceFilter.all()).items()) {
            assertFalse(Set.of("pending", "running").contains(d.state()), d.toString());
        }
    }

    @Test
    void aServerRestartMidRolloutResumesIt() throws Exception {
        // The canary's devices are inside their health window when the server dies.
        List<SimDevice> devices = devices("restart", 6, i -> HEALTHY.withHealthWindow(Duration.ofSeconds(3)));
        release("restart", "1.0.0");
        Rollout r = admin.rollouts().create(NewRollout.of("restart-1", "restart", "1.0.0", "tag==restart")
                .phases(Phase.count("canary", 3), Phase.percent("rest", 100)).started());
        fleet.awaitCount(devices, d -> d.state() == SimState.HEALTH_WINDOW, 1, WAIT, "the canary mid-update");

        server.process().kill();
        server.process().restart();

        Rollout done = awaitRollout(r.id(), x -> x.state().equals("succeeded"), "succeeded after the restart");
        fleet.awaitAll(devices, d -> d.state() == SimState.SUCCEEDED, WAIT, "every device installed");
        assertEquals(6, done.counts().succeeded());
        for (SimDevice d : devices) assertEquals(1, actions(d, "restart").size(), d + " got one action");
        assertPhasesStartedOnce(r.id(), 2);
    }

    @Test
    void twoServerInstancesOnOneDatabaseRunARolloutOnce() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("MODELYARD_ADMIN_TOKEN", FreshServer.ADMIN);
        env.put("MODELYARD_SIGNING_RELEASE_KEY_FILE", server.work().resolve("release-key.json").toString());
        env.put("MODELYARD_ROLLOUT_TICK_INTERVAL", "PT0.05S");
        try (ServerProcess second = ServerProcess.start(server.db().jdbcUrl(), server.data(), "384m", env);
             FleetSimulator secondFleet = FleetSimulator.builder(second.uri("")).build()) {
            // Half the fleet talks to each replica, as behind a load balancer.
            List<DeviceSpec> specs = FleetRegistration.viaApi(admin, "default", "replicas", 12, DeviceSpec.updaterAttributes(), Set.of("replicas"));
            List<SimDevice> devices = new java.util.ArrayList<>(fleet.addAll(specs.subList(0, 6), HEALTHY));
            devices.addAll(secondFleet.addAll(specs.subList(6, 12), HEALTHY));
            secondFleet.start();
            release("replicas", "1.0.0");
            Rollout r = admin.rollouts().create(NewRollout.of("replicas-1", "replicas", "1.0.0", "tag==replicas")
                    .phases(Phase.count("one", 3), Phase.count("two", 3), Phase.percent("rest", 100)).started());

            Rollout done = awaitRollout(r.id(), x -> x.state().equals("succeeded"), "succeeded");
            assertEquals(12, done.counts().succeeded());
            assertEquals(List.of(3, 3, 6), done.phases().stream().map(Phase::devices).toList());
            // The server counts a success before its answer reaches the device: wait for the answers.
            fleet.awaitAll(devices, d -> d.state() == SimState.SUCCEEDED, WAIT, "every device installed");
            for (SimDevice d : devices) {
                assertEquals(1, actions(d, "replicas").size(), d + " got exactly one action");
            }
            assertPhasesStartedOnce(r.id(), 3);
            assertEquals(1, admin.rollouts().events(r.id()).stream().filter(e -> e.kind().equals("succeeded")).count());
        }
    }

    // ---- helpers ----

    private static List<SimDevice> devices(String tag, int count, IntFunction<Behavior> behavior) {
        return devices(tag, count, behavior, tag);
    }

    /** Registers {@code <prefix>-1 …} through the API with one tag, and adds them to the running fleet. */
    private static List<SimDevice> devices(String prefix, int count, IntFunction<Behavior> behavior, String tag) {
        List<DeviceSpec> specs = FleetRegistration.viaApi(admin, "default", prefix, count, DeviceSpec.updaterAttributes(), Set.of(tag));
        return new java.util.ArrayList<>(fleet.addAll(specs, behavior));
    }

    private static void release(String model, String version) {
        float bias = Float.parseFloat(version.substring(0, version.indexOf('.')));
        Fixtures.publishedOnnx(admin, model, version, model + ".onnx", OnnxModels.addBias(bias, bias, bias, bias));
    }

    private static List<Deployments.Action> actions(SimDevice d, String model) {
        return admin.deployments().actions(new Deployments.Filter(d.controllerId(), model, null, null, null, 500)).items();
    }

    private static long openActions(String model) {
        return admin.deployments().actions(new Deployments.Filter(null, model, null, true, null, 500)).total();
    }

    private static void assertPhasesStartedOnce(long rolloutId, int phases) {
        Map<Integer, Long> started = admin.rollouts().events(rolloutId).stream().filter(e -> e.kind().equals("phase-started"))
                .collect(Collectors.groupingBy(Rollouts.Event::phase, Collectors.counting()));
        Map<Integer, Long> once = new HashMap<>();
        for (int i = 0; i < phases; i++) once.put(i, 1L);
        assertEquals(once, started, "each phase started exactly once");
    }

    private static Rollout awaitRollout(long id, Predicate<Rollout> condition, String what) {
        Instant deadline = Instant.now().plus(WAIT);
        Rollout last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = admin.rollouts().get(id);
                if (condition.test(last)) return last;
            } catch (java.io.UncheckedIOException serverRestarting) {
                // the server may be restarting; ask again
            }
            ServerProcess.pause(100);
        }
        List<Rollouts.Event> events = admin.rollouts().events(id);
        throw new AssertionError("rollout " + id + " not " + what + " within " + WAIT + ": " + last + "\nevents: " + events
                + "\nfleet: " + fleet.states());
    }
}
