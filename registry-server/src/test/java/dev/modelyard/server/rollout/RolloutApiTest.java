package dev.modelyard.server.rollout;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.as;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.token;
import static dev.modelyard.server.Api.viewer;
import static dev.modelyard.server.rollout.RolloutFleet.awaitCount;
import static dev.modelyard.server.rollout.RolloutFleet.awaitPhase;
import static dev.modelyard.server.rollout.RolloutFleet.awaitState;
import static dev.modelyard.server.rollout.RolloutFleet.body;
import static dev.modelyard.server.rollout.RolloutFleet.count;
import static dev.modelyard.server.rollout.RolloutFleet.create;
import static dev.modelyard.server.rollout.RolloutFleet.get;
import static dev.modelyard.server.rollout.RolloutFleet.phase;
import static dev.modelyard.server.rollout.RolloutFleet.post;
import static dev.modelyard.server.rollout.RolloutFleet.refused;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.rollout.RolloutFleet.Dev;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rollouts driven end to end: the API, the engine, and devices speaking DDI over HTTP. */
@QuarkusTest
class RolloutApiTest {

    @Inject
    RolloutEngine engine;

    @Inject
    RolloutSteps steps;

    @Inject
    TenantContext tenants;

    @Inject
    io.agroal.api.AgroalDataSource db;

    @Test
    void invalidRequestsAreRefusedNamingTheField() {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        Map<String, Object> b = body(m, "1.0.0", tag);
        b.remove("name");
        refused(b, 400, "missing-field", "name");
        refused(body(m, "1.0.0", tag, "phases", List.of(phase("size", "ten"), phase())), 400, "invalid-field", "phases[0].size");
        refused(body(m, "1.0.0", tag, "phases", List.of(phase("size", "10%", "bake", "10 minutes"))), 400, "invalid-field", "phases[0].bake");
        refused(body(m, "1.0.0", tag, "phases", List.of(phase("size", "5", "minSuccessPct", 120))), 400, "invalid-field",
                "phases[0].minSuccessPct");
        refused(body(m, "1.0.0", tag, "phases", List.of(phase("gate", Map.of("timeout", "soon")))), 400, "invalid-field",
                "phases[0].gate.timeout");
        refused(body(m, "1.0.0", tag, "failureBudget", Map.of("maxFailurePct", 5, "onFailure", "explode")), 400, "invalid-field",
                "failureBudget.onFailure");
        refused(body(m, "1.0.0", tag, "maintenanceWindow", Map.of("schedule", "0 2 * *", "duration", "PT2H")), 400, "invalid-field",
                "maintenanceWindow.schedule");
        refused(body(m, "1.0.0", tag, "maintenanceWindow", Map.of("schedule", "0 2 * * *", "duration", "PT2H", "zone", "Mars/Base")),
                400, "invalid-field", "maintenanceWindow.zone");
        refused(body(m, "1.0.0", tag, "schedule", Map.of("startAt", "2030-01-02T00:00:00Z", "endAt", "2030-01-01T00:00:00Z")), 400,
                "invalid-field", "schedule.endAt");
        refused(body(m, "1.0.0", tag, "type", "eventually"), 400, "invalid-field", "type");
        refused(body(m, "1.0.0", tag, "group", "stores"), 400, "invalid-field", null);
        Map<String, Object> grouped = body(m, "1.0.0", tag, "group", Api.uniqueName("nogroup"));
        grouped.remove("filter");
        refused(grouped, 404, "device-group-not-found", "group");
        refused(body(m, "1.0.0", tag, "filter", "tag=="), 400, "invalid-filter", "filter");
        refused(body(m, "9.9.9", tag), 404, "version-not-found", null);
        refused(body(m, "1.0.0", tag, "color", "blue"), 400, "unknown-field", null);

        Map<String, Object> ok = body(m, "1.0.0", tag);
        create(admin(), ok);
        refused(ok, 409, "already-exists", "name");
    }

    @Test
    void aGroupsFilterIsCopiedWhenTheRolloutIsCreated() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 1);
        String group = Api.uniqueName("stores");
        admin().contentType(ContentType.JSON).body(Map.of("name", group, "filter", "tag==" + tag))
                .post("/api/v1/device-groups").then().statusCode(201);
        Map<String, Object> b = body(m, "1.0.0", tag, "group", group);
        b.remove("filter");
        JsonPath r = create(admin(), b);
        long id = r.getLong("id");
        assertEquals(group, r.getString("group"));
        assertEquals("tag==" + tag, r.getString("filter"));
        // A later edit of the group does not change the rollout.
        admin().contentType(ContentType.JSON).body(Map.of("filter", "tag==" + Api.uniqueName("elsewhere")))
                .put("/api/v1/device-groups/{g}", group).then().statusCode(200);
        post(admin(), id, "start").then().statusCode(200);
        devs.get(0).complete(true);
        awaitState(id, "succeeded");
        assertEquals("tag==" + tag, get(id).getString("filter"));
        assertEquals(1, get(id).getInt("counts.succeeded"));
    }

    @Test
    void lifeCycleRefusalsAndPermissions() {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        viewer().contentType(ContentType.JSON).body(body(m, "1.0.0", tag)).post("/api/v1/rollouts").then().statusCode(403);
        JsonPath r = create(admin(), body(m, "1.0.0", tag, "description", "a draft"));
        long id = r.getLong("id");
        assertEquals("draft", r.getString("state"));
        assertEquals("1.0.0", r.getString("version"));
        assertEquals("forced", r.getString("type"));
        assertEquals(1, r.getList("phases").size());
        assertEquals("100%", r.getString("phases[0].size"));
        viewer().get("/api/v1/rollouts/{id}", id).then().statusCode(200).body("name", equalTo(r.getString("name")));
        viewer().get("/api/v1/rollouts?state=draft").then().statusCode(200);
        viewer().get("/api/v1/rollouts?state=sleeping").then().statusCode(400).body("code", equalTo("invalid-parameter"));
        post(viewer(), id, "start").then().statusCode(403);
        post(admin(), id, "resume").then().statusCode(409).body("code", equalTo("rollout-state"));
        post(admin(), id, "pause").then().statusCode(409).body("code", equalTo("rollout-state"));
        post(admin(), id, "approve").then().statusCode(403).body("code", equalTo("self-approval"));
        admin().get("/api/v1/rollouts/{id}", 99_999_999).then().statusCode(404).body("code", equalTo("rollout-not-found"));
        admin().delete("/api/v1/rollouts/{id}", id).then().statusCode(204);
        admin().get("/api/v1/rollouts/{id}", id).then().statusCode(404);
    }

    @Test
    void phasesAdvanceBySizeAndOnlyClosedSuccessCounts() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 4);
        long id = create(admin(), body(m, "latest", tag, "start", true, "phases", List.of(
                phase("name", "canary", "size", "1"), phase("name", "half", "size", "50%", "minSamples", 2),
                phase("name", "rest")))).getLong("id");
        awaitCount(id, "running", 1);
        JsonPath r = get(id);
        assertEquals("running", r.getString("state"));
        assertEquals("latest", r.getString("requested"));
        assertEquals("1.0.0", r.getString("version"));
        assertEquals(4, r.getInt("totalDevices"));
        assertEquals(1, r.getInt("phases[0].devices"));
        admin().delete("/api/v1/rollouts/{id}", id).then().statusCode(409).body("code", equalTo("rollout-state"));

        // The canary is the first device in id order; "proceeding" does not count as success.
        Dev canary = devs.get(0);
        long action = canary.awaitOffer();
        canary.feedback(action, "proceeding", "none");
        steps(id);
        r = get(id);
        assertEquals(0, r.getInt("counts.succeeded"));
        assertEquals(1, r.getInt("counts.running"));
        assertEquals("baking", r.getString("phases[0].state"));
        canary.feedback(action, "closed", "success");
        awaitPhase(id, 0, "passed");
        awaitCount(id, "running", 2);
        assertEquals(2, get(id).getInt("phases[1].devices"));
        devs.get(1).complete(true);
        devs.get(2).complete(true);
        awaitPhase(id, 1, "passed");
        devs.get(3).complete(true);
        awaitState(id, "succeeded");
        r = get(id);
        assertEquals(4, r.getInt("counts.succeeded"));
        assertEquals(100.0, r.getDouble("phases[2].successPct"));
        assertNotNull(r.getString("finishedAt"));

        JsonPath devices = admin().get("/api/v1/rollouts/{id}/devices?phase=1", id).then().statusCode(200).extract().jsonPath();
        assertEquals(2, devices.getInt("total"));
        assertEquals("succeeded", devices.getString("items[0].state"));
        admin().get("/api/v1/rollouts/{id}/devices?state=succeeded", id).then().statusCode(200).body("total", equalTo(4));
        admin().get("/api/v1/rollouts/{id}/devices?state=odd", id).then().statusCode(400);
        List<String> kinds = admin().get("/api/v1/rollouts/{id}/events", id).then().statusCode(200).extract().jsonPath().getList("kind");
        assertTrue(kinds.containsAll(List.of("created", "started", "phase-started", "phase-passed", "succeeded")), kinds.toString());
        List<Map<String, Object>> progress = admin().get("/api/v1/rollouts/{id}/progress", id).then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertFalse(progress.isEmpty());
        assertTrue(progress.stream().anyMatch(s -> ((Number) s.get("succeeded")).intValue() > 0), progress.toString());
        // Every action the rollout created names it.
        assertEquals(4, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id));
        admin().delete("/api/v1/rollouts/{id}", id).then().statusCode(204);
        assertEquals(0, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id));
    }

    @Test
    void failureBudgetPausesAndResumeCountsAfresh() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 3);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "phases", List.of(phase("minSamples", 3)),
                "failureBudget", Map.of("maxFailurePct", 10, "minExecuted", 1, "onFailure", "pause"))).getLong("id");
        awaitCount(id, "running", 3);
        devs.get(0).complete(false, "self-test failed: 2 of 4 vectors", "free memory 12 MB");
        awaitState(id, "paused");
        // The failed device carries its feedback's message; a running one the newest line of its history.
        JsonPath failed = admin().get("/api/v1/rollouts/{id}/devices?state=failed", id).then().statusCode(200).extract().jsonPath();
        assertEquals(devs.get(0).id(), failed.getString("items[0].device"));
        assertEquals("self-test failed: 2 of 4 vectors", failed.getString("items[0].lastMessage"));
        String running = admin().get("/api/v1/rollouts/{id}/devices?state=running&size=1", id).then().statusCode(200)
                .extract().jsonPath().getString("items[0].lastMessage");
        assertTrue(running != null && !running.contains("self-test"), running);
        JsonPath r = get(id);
        assertTrue(r.getString("stateReason").contains("failure budget"), r.getString("stateReason"));
        assertEquals(1, r.getInt("failureBudget.failed"));
        assertEquals(1000.0, r.getDouble("failureBudget.burnPct"));
        post(admin(), id, "resume").then().statusCode(200).body("state", equalTo("running"))
                .body("failureBudget.executed", equalTo(0));
        devs.get(1).complete(true);
        devs.get(2).complete(true);
        // One of three failed: the phase needs 100% by default, so it fails and the rollout pauses again.
        awaitState(id, "paused");
        assertTrue(get(id).getString("stateReason").contains("phase"), get(id).getString("stateReason"));
        post(admin(), id, "resume").then().statusCode(200);
        awaitState(id, "succeeded");
    }

    @Test
    void failureBudgetRollsBackToThePreviousVersion() throws Exception {
        String m = RolloutFleet.model("1.0.0", "2.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 3);
        // Two devices run 1.0.0 first; the third runs nothing yet.
        publisher().contentType(ContentType.JSON).body(Map.of("model", m, "version", "1.0.0",
                "devices", List.of(devs.get(0).id(), devs.get(1).id()))).post("/api/v1/deployments").then().statusCode(201);
        devs.get(0).complete(true);
        devs.get(1).complete(true);

        long id = create(admin(), body(m, "2.0.0", tag, "start", true, "phases", List.of(phase("bake", "PT1H")),
                "failureBudget", Map.of("maxFailurePct", 20, "minExecuted", 3, "onFailure", "rollback"))).getLong("id");
        awaitCount(id, "running", 3);
        long v2 = devs.get(0).complete(true);
        devs.get(2).complete(true);
        devs.get(1).complete(false);
        awaitState(id, "rolling-back");
        // Device 0 ran 1.0.0 before: it is given 1.0.0 again, by the rollout.
        long rollback = devs.get(0).awaitOffer();
        assertTrue(rollback != v2);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT v.version, a.rollout_id, a.rollback_authorization FROM action a JOIN model_version v ON v.id = a.version_id
                WHERE a.id = ?""")) {
            ps.setLong(1, rollback);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("1.0.0", rs.getString(1));
                assertEquals(id, rs.getLong(2));
                // The signed authorization for exactly that release travels with the action.
                String authorization = rs.getString(3);
                assertNotNull(authorization);
                assertTrue(authorization.contains("signatures") && authorization.contains(m), authorization);
            }
        }
        devs.get(0).complete(true);
        // Device 2 had no earlier version: reported; device 1 failed and kept 1.0.0.
        awaitState(id, "failed");
        JsonPath r = get(id);
        assertEquals(1, r.getInt("counts.rolledBack"));
        assertEquals(1, r.getInt("counts.rollbackFailed"));
        assertEquals(1, r.getInt("counts.failed"));
        JsonPath reported = admin().get("/api/v1/rollouts/{id}/devices?state=rollback-failed", id).then().statusCode(200)
                .extract().jsonPath();
        assertEquals(devs.get(2).id(), reported.getString("items[0].device"));
        assertTrue(reported.getString("items[0].reason").contains("no earlier version"), reported.getString("items[0].reason"));
        JsonPath back = admin().get("/api/v1/rollouts/{id}/devices?state=rolled-back", id).then().statusCode(200).extract().jsonPath();
        assertEquals("1.0.0", back.getString("items[0].previousVersion"));
        admin().get("/api/v1/devices/{d}", devs.get(0).id()).then().statusCode(200).body("installed[0].version", equalTo("1.0.0"));
    }

    @Test
    void approvalsHoldTheRolloutAndItsPhases() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 2);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "approval", true, "phases", List.of(
                phase("size", "1"), phase("approval", true)))).getLong("id");
        assertEquals("waiting-for-approval", get(id).getString("state"));
        steps(id);
        assertEquals(0, get(id).getInt("counts.running"));
        post(admin(), id, "approve").then().statusCode(403).body("code", equalTo("self-approval"));
        post(viewer(), id, "approve").then().statusCode(403);
        String operator = token("operator");
        post(as(operator), id, "approve").then().statusCode(200).body("approvedBy", containsString("test-operator"));
        devs.get(0).complete(true);
        awaitPhase(id, 1, "waiting-for-approval");
        steps(id);
        assertEquals(1, get(id).getInt("counts.succeeded"));
        assertEquals(0, get(id).getInt("counts.running"));
        post(admin(), id, "approve").then().statusCode(403).body("code", equalTo("self-approval"));
        post(as(operator), id, "approve").then().statusCode(200);
        devs.get(1).complete(true);
        awaitState(id, "succeeded");
        JsonPath r = get(id);
        assertTrue(r.getString("phases[1].approvedBy").contains("test-operator"));
        List<String> kinds = admin().get("/api/v1/rollouts/{id}/events", id).then().extract().jsonPath().getList("kind");
        assertTrue(kinds.containsAll(List.of("approved", "phase-waiting-for-approval", "phase-approved")), kinds.toString());
    }

    @Test
    void aScheduledRolloutWaitsForItsStartTime() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        RolloutFleet.devices(tag, 1);
        String later = Instant.now().plus(1, ChronoUnit.DAYS).toString();
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "schedule", Map.of("startAt", later))).getLong("id");
        steps(id);
        JsonPath r = get(id);
        assertEquals("scheduled", r.getString("state"));
        assertNull(r.get("startedAt"));
        assertEquals(later, r.getString("schedule.startAt"));
        post(admin(), id, "pause").then().statusCode(200).body("state", equalTo("paused"));
        post(admin(), id, "resume").then().statusCode(200).body("state", equalTo("scheduled"));
        post(admin(), id, "cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        post(admin(), id, "cancel").then().statusCode(409).body("code", equalTo("rollout-state"));
    }

    @Test
    void cancelLeavesNoDeviceHalfWay() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 3);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "phases", List.of(phase("size", "2", "bake", "PT1H"), phase()))).getLong("id");
        awaitCount(id, "running", 2);
        devs.get(0).complete(true);
        post(admin(), id, "cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        Api.await("open actions asked to cancel", RolloutFleet.DEADLINE,
                () -> count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id + " AND active AND status <> 'CANCELING'") == 0);
        long open = devs.get(1).cancelOffered();
        devs.get(1).cancelFeedback(open);
        assertEquals(0, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id + " AND active"));
        JsonPath r = get(id);
        assertEquals(1, r.getInt("counts.succeeded"));
        assertEquals(1, r.getInt("counts.cancelled"), r.prettify());
        assertNull(devs.get(2).offered());
        assertEquals("cancelled", r.getString("phases[0].state"));
    }

    @Test
    void devicesThatChangeJoinADynamicRollout() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        RolloutFleet.devices(tag, 1);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "dynamic", true, "maxDevices", 2)).getLong("id");
        awaitCount(id, "running", 1);
        // A device that registers with the tag joins the running phase.
        Dev late = RolloutFleet.device(tag);
        late.awaitOffer();
        assertEquals(2, get(id).getInt("phases[0].devices"));
        // One that gets the tag later would too, but the rollout is full.
        Dev other = RolloutFleet.device(Api.uniqueName("t"));
        long otherId = deviceId(other.id());
        publisher().contentType(ContentType.JSON).body(Map.of("tags", List.of(tag))).patch("/api/v1/devices/{d}", other.id())
                .then().statusCode(200);
        assertEquals(List.of(), tenants.callAs("default", () -> steps.join(otherId)));
        assertNull(other.offered());
        List<String> kinds = admin().get("/api/v1/rollouts/{id}/events", id).then().extract().jsonPath().getList("kind");
        assertTrue(kinds.contains("device-joined"), kinds.toString());
    }

    @Test
    void oneStepAtATimeWhateverTheNumberOfEngines() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        RolloutFleet.devices(tag, 1);
        long id = create(admin(), body(m, "1.0.0", tag, "maintenanceWindow",
                Map.of("schedule", "0 2 * * *", "duration", "PT2H", "zone", "Europe/Berlin"))).getLong("id");
        post(admin(), id, "start").then().statusCode(200);
        // Another replica's step holds the row: this one skips the rollout instead of waiting or running it twice.
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM rollout WHERE id = ? FOR UPDATE")) {
                ps.setLong(1, id);
                ps.executeQuery().close();
            }
            assertEquals(RolloutSteps.Result.NOT_CLAIMED, engine.stepOnce("default", id));
            c.rollback();
        }
        // Two engines at once: each step is claimed by exactly one; the device gets exactly one action.
        List<Thread> threads = new ArrayList<>();
        List<RolloutSteps.Result> results = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                try {
                    together.await();
                    for (int k = 0; k < 20; k++) results.add(engine.stepOnce("default", id));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        awaitCount(id, "running", 1);
        assertEquals(1, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id));
        assertEquals(1, count(db, "SELECT count(*) FROM rollout_event WHERE kind = 'phase-started' AND rollout_id = " + id));
        // The rollout's maintenance window travels with its actions.
        assertEquals(1, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id + " AND maintenance_schedule = '0 2 * * *'"
                + " AND maintenance_duration_seconds = 7200 AND maintenance_zone = 'Europe/Berlin'"));
        assertEquals("PT2H", get(id).getString("maintenanceWindow.duration"));
    }

    @Test
    void aHealthGateStopsAModelThatFailsOnDevices() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 2);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "phases", List.of(
                phase("size", "1", "gate", Map.of("maxErrorRate", 0.01, "minDevices", 1, "minRequests", 10)), phase()))).getLong("id");
        Dev canary = devs.get(0);
        long action = canary.awaitOffer();
        // Installed and closed successfully, but 30 of 100 requests failed on the device.
        canary.as().contentType(ContentType.JSON).body(dev.modelyard.server.health.HealthFixtures.feedback("closed", "success",
                        List.of(dev.modelyard.server.health.HealthFixtures.health(m, "1.0.0", 100, 30, 5.0, 20.0, 1.1, "passed", true))))
                .post(canary.path() + "/deploymentBase/" + action + "/feedback").then().statusCode(200);
        awaitState(id, "paused");
        JsonPath r = get(id);
        assertEquals("failed", r.getString("phases[0].state"));
        assertEquals("fail", r.getString("phases[0].gateVerdict.outcome"));
        assertEquals(1, r.getInt("phases[0].health.devices"));
        assertEquals(100, r.getInt("phases[0].health.requests"));
        assertTrue(r.getString("stateReason").contains("health gate"), r.getString("stateReason"));
        assertEquals(1, r.getInt("counts.succeeded"));
        assertNull(devs.get(1).offered());
    }

    @Test
    void aGateWithoutDataPausesAfterItsTimeout() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        Dev d = RolloutFleet.devices(tag, 1).get(0);
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "phases", List.of(
                phase("gate", Map.of("minDevices", 1, "minRequests", 10, "timeout", "PT1S"))))).getLong("id");
        d.complete(true);
        awaitState(id, "paused");
        JsonPath r = get(id);
        assertEquals("inconclusive", r.getString("phases[0].gateVerdict.outcome"));
        assertTrue(r.getString("stateReason").contains("too little data"), r.getString("stateReason"));
        assertEquals("PT1S", r.getString("phases[0].gate.timeout"));
    }

    @Test
    void anEndTimeThatPassedStopsTheRollout() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        RolloutFleet.devices(tag, 1);
        String past = Instant.now().minus(1, ChronoUnit.MINUTES).toString();
        long id = create(admin(), body(m, "1.0.0", tag, "start", true, "schedule", Map.of("endAt", past))).getLong("id");
        awaitState(id, "failed");
        assertTrue(get(id).getString("stateReason").contains("end time"), get(id).getString("stateReason"));
        assertEquals(0, count(db, "SELECT count(*) FROM action WHERE rollout_id = " + id));
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Runs engine steps until the rollout has nothing to do at once (the background engine may run some too). */
    private void steps(long id) {
        for (int i = 0; i < 100; i++) {
            RolloutSteps.Result r = engine.stepOnce("default", id);
            if (r == RolloutSteps.Result.IDLE) return;
        }
    }

    private long deviceId(String controllerId) {
        return count(db, "SELECT id FROM device WHERE controller_id = '" + controllerId + "'");
    }
}
