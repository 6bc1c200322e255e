package dev.modelyard.server.rollout;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.rollout.RolloutFleet.awaitCount;
import static dev.modelyard.server.rollout.RolloutFleet.awaitPhase;
import static dev.modelyard.server.rollout.RolloutFleet.awaitState;
import static dev.modelyard.server.rollout.RolloutFleet.body;
import static dev.modelyard.server.rollout.RolloutFleet.count;
import static dev.modelyard.server.rollout.RolloutFleet.create;
import static dev.modelyard.server.rollout.RolloutFleet.get;
import static dev.modelyard.server.rollout.RolloutFleet.phase;
import static dev.modelyard.server.rollout.RolloutFleet.post;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.rollout.RolloutFleet.Dev;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When a rollout ends, and what its cancel and its rollback touch: only devices that closed
 * count, a cancel never undoes a rollback, a rollback restores only devices that still run the
 * rollout's version.
 */
@QuarkusTest
class RolloutLifecycleTest {

    @Inject
    RolloutEngine engine;

    @Inject
    io.agroal.api.AgroalDataSource db;

    @Test
    void theRolloutEndsOnlyWhenNoDeviceRunsAndTheBudgetKeepsCounting() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 3);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "phases", List.of(
                        phase("name", "first", "size", "2", "minSamples", 1), phase("name", "rest")),
                "failureBudget", Map.of("maxFailurePct", 10, "minExecuted", 3, "onFailure", "pause"))).getLong("id");
        awaitCount(id, "running", 2);
        // One closed device of two is enough to start the next phase ...
        devs.get(0).complete(true);
        awaitPhase(id, 0, "passed");
        awaitCount(id, "running", 2);
        // ... but not to end the rollout: device 1 still runs.
        devs.get(2).complete(true);
        steps(id);
        JsonPath r = get(id);
        assertEquals("running", r.getString("state"), r.getString("stateReason"));
        assertEquals(1, r.getInt("counts.running"));
        assertEquals("baking", r.getString("phases[1].state"));
        // It fails after the phases passed: the failure budget still counts it.
        devs.get(1).complete(false);
        awaitState(id, "paused");
        assertTrue(get(id).getString("stateReason").contains("failure budget"), get(id).getString("stateReason"));
    }

    @Test
    void aDynamicRolloutKeepsTakingDevicesUntilItIsFull() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        Dev first = RolloutFleet.devices(tag, 1).get(0);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "dynamic", true, "maxDevices", 2)).getLong("id");
        first.complete(true);
        awaitCount(id, "succeeded", 1);
        steps(id);
        assertEquals("running", get(id).getString("state"), get(id).getString("stateReason"));
        // A device that registers later still joins, and when it closed the rollout is full and done.
        Dev late = RolloutFleet.device(tag);
        late.complete(true);
        awaitState(id, "succeeded");
        assertEquals(2, get(id).getInt("counts.succeeded"));
    }

    @Test
    void aDynamicRolloutWithoutALimitRunsUntilCancelled() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        Dev first = RolloutFleet.devices(tag, 1).get(0);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "dynamic", true)).getLong("id");
        first.complete(true);
        awaitCount(id, "succeeded", 1);
        steps(id);
        assertEquals("running", get(id).getString("state"), get(id).getString("stateReason"));
        assertEquals("baking", get(id).getString("phases[0].state"));
        post(admin(), id, "cancel").then().statusCode(200).body("state", equalTo("cancelled"));
    }

    @Test
    void aCancelledRolloutCanStillBeRolledBackAndARollbackCannotBeCancelled() throws Exception {
        String m = RolloutFleet.model("1.0.0", "2.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 2);
        deploy(m, "1.0.0", devs.get(0));
        devs.get(0).complete(true);
        long id = create(admin(), body(m, "2.0.0", tag, "start", true, "phases", List.of(phase("bake", "PT1H")))).getLong("id");
        awaitCount(id, "running", 2);
        devs.get(0).complete(true);
        post(admin(), id, "cancel").then().statusCode(200);
        // Device 1's open action is canceled and it confirms.
        Api.await("device 1 asked to cancel", RolloutFleet.DEADLINE, () -> devs.get(1).cancelOffered() != null);
        devs.get(1).cancelFeedback(devs.get(1).cancelOffered());
        post(admin(), id, "rollback").then().statusCode(200).body("state", equalTo("rolling-back"));
        post(admin(), id, "cancel").then().statusCode(409).body("code", equalTo("rollout-state"));
        // The cancel's cleanup leaves the rollback's action alone: device 0 gets 1.0.0 back.
        devs.get(0).complete(true);
        awaitState(id, "rolled-back");
        assertEquals(0, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id + " AND status = 'CANCELING'"));
        admin().get("/api/v1/devices/{d}", devs.get(0).id()).then().statusCode(200).body("installed[0].version", equalTo("1.0.0"));
        assertEquals(1, get(id).getInt("counts.rolledBack"));
    }

    @Test
    void aRollbackRestoresOnlyDevicesThatStillRunTheVersion() throws Exception {
        String m = RolloutFleet.model("1.0.0", "2.0.0", "3.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 2);
        deploy(m, "1.0.0", devs.get(0));
        devs.get(0).complete(true);
        deploy(m, "2.0.0", devs.get(1));
        devs.get(1).complete(true);
        // Device 1 runs 2.0.0 already: the rollout does not select it.
        long first = create(admin(), body(m, "2.0.0", tag, "start", true)).getLong("id");
        devs.get(0).complete(true);
        awaitState(first, "succeeded");
        assertEquals(1, get(first).getInt("phases[0].devices"));
        // A later rollout moves both on to 3.0.0.
        long second = create(admin(), body(m, "3.0.0", tag, "start", true)).getLong("id");
        devs.get(0).complete(true);
        devs.get(1).complete(true);
        awaitState(second, "succeeded");
        // Rolling back the first rollout leaves device 0 on 3.0.0: it no longer runs 2.0.0.
        post(admin(), first, "rollback").then().statusCode(200);
        awaitState(first, "rolled-back");
        assertNull(devs.get(0).offered());
        assertEquals(0, get(first).getInt("counts.rolledBack"));
        assertEquals(1, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + first));
        admin().get("/api/v1/devices/{d}", devs.get(0).id()).then().statusCode(200).body("installed[0].version", equalTo("3.0.0"));
    }

    @Test
    void cancelAlsoCancelsAnOpenActionTheRolloutReused() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        Dev dev = RolloutFleet.devices(tag, 1).get(0);
        // The device has an open action for the version already; the rollout takes it over.
        long open = deploy(m, "1.0.0", dev);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "phases", List.of(phase("bake", "PT1H")))).getLong("id");
        awaitCount(id, "running", 1);
        assertEquals(open, count(db, "SELECT action_id FROM rollout_device WHERE rollout_id = " + id));
        post(admin(), id, "cancel").then().statusCode(200);
        Api.await("the reused action asked to cancel", RolloutFleet.DEADLINE,
                () -> count(db, "SELECT count(*) FROM action WHERE id = " + open + " AND status = 'CANCELING'") == 1);
        assertEquals(open, (long) dev.cancelOffered());
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** A plain deployment of the version to the device; returns its action. */
    private long deploy(String model, String version, Dev dev) {
        publisher().contentType(ContentType.JSON).body(Map.of("model", model, "version", version, "devices", List.of(dev.id())))
                .post("/api/v1/deployments").then().statusCode(201);
        return count(db, "SELECT a.id FROM action a JOIN device d ON d.id = a.device_id WHERE d.controller_id = '" + dev.id()
                + "' AND a.active");
    }

    /** Runs engine steps until the rollout has nothing to do at once (the background engine may run some too). */
    private void steps(long id) {
        for (int i = 0; i < 100; i++) {
            if (engine.stepOnce("default", id) == RolloutSteps.Result.IDLE) return;
        }
    }
}
