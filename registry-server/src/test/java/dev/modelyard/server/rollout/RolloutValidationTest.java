package dev.modelyard.server.rollout;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.as;
import static dev.modelyard.server.rollout.RolloutFleet.awaitPhase;
import static dev.modelyard.server.rollout.RolloutFleet.awaitState;
import static dev.modelyard.server.rollout.RolloutFleet.count;
import static dev.modelyard.server.rollout.RolloutFleet.create;
import static dev.modelyard.server.rollout.RolloutFleet.get;
import static dev.modelyard.server.rollout.RolloutFleet.post;
import static dev.modelyard.server.rollout.RolloutFleet.refused;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.rollout.RolloutFleet.Dev;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a rollout request may not say (so that nothing stored can make the engine or a device's
 * poll fail later), who may ask for an automatic rollback, and how the engine treats a step the
 * domain refuses.
 */
@QuarkusTest
class RolloutValidationTest {

    @Inject
    io.agroal.api.AgroalDataSource db;

    private static Map<String, Object> body(String model, String tag, Object... more) {
        return RolloutFleet.body(model, "1.0.0", tag, more);
    }

    private static Map<String, Object> window(String schedule, String duration, String zone) {
        Map<String, Object> w = new HashMap<>();
        w.put("schedule", schedule);
        w.put("duration", duration);
        if (zone != null) w.put("zone", zone);
        return w;
    }

    @Test
    void maintenanceWindowsAreCheckedAsDeploymentsCheckThem() {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        // Cron fields out of range or not cron at all: stored, they made every poll of the devices fail.
        refused(body(m, tag, "maintenanceWindow", window("99 * * * *", "PT1H", null)), 400, "invalid-field", "maintenanceWindow.schedule");
        refused(body(m, tag, "maintenanceWindow", window("x y z w v", "PT1H", null)), 400, "invalid-field", "maintenanceWindow.schedule");
        refused(body(m, tag, "maintenanceWindow", window("0 2 * * *", "PT1H", "+02:00")), 400, "invalid-field", "maintenanceWindow.zone");
        refused(body(m, tag, "maintenanceWindow", window("0 2 * * *", "P8D", null)), 400, "invalid-field", "maintenanceWindow.duration");
        refused(body(m, tag, "type", "downloadonly", "maintenanceWindow", window("0 2 * * *", "PT1H", null)), 400, "invalid-field",
                "maintenanceWindow");
        JsonPath ok = create(admin(), body(m, tag, "maintenanceWindow", window("0 2 * * *", "PT4H", "Europe/Berlin")));
        assertEquals("0 2 * * *", ok.getString("maintenanceWindow.schedule"));
        assertEquals("Europe/Berlin", ok.getString("maintenanceWindow.zone"));
    }

    @Test
    void durationsAreBoundedAndGatesCheckedByTheirOwnRules() {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        refused(body(m, tag, "rate", Map.of("maxPerMinute", 10, "growthFactor", 2, "growEvery", "PT9999999999999H")), 400,
                "invalid-field", "rate.growEvery");
        refused(body(m, tag, "phases", List.of(Map.of("bake", "P366D"))), 400, "invalid-field", "phases[0].bake");
        refused(body(m, tag, "phases", List.of(Map.of("gate", Map.of("timeout", "PT9999999999999H")))), 400, "invalid-field",
                "phases[0].gate.timeout");
        refused(body(m, tag, "phases", List.of(Map.of("gate", Map.of("maxErrorRate", 1.5)))), 400, "invalid-field",
                "phases[0].gate.maxErrorRate");
        // The longest accepted is a year; the view reads it back without overflowing.
        long id = create(admin(), body(m, tag, "rate", Map.of("maxPerMinute", 10, "growthFactor", 2, "growEvery", "P365D"),
                "phases", List.of(Map.of("bake", "P365D", "gate", Map.of("maxErrorRate", 0.5, "timeout", "P365D"))))).getLong("id");
        assertEquals("PT8760H", get(id).getString("rate.growEvery"));
    }

    @Test
    void aBlankFilterOrGroupIsRefusedNotReadAsEveryDevice() {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        refused(body(m, tag, "filter", ""), 400, "missing-field", "filter");
        refused(body(m, tag, "filter", "   "), 400, "missing-field", "filter");
        Map<String, Object> grouped = body(m, tag, "group", " ");
        grouped.remove("filter");
        refused(grouped, 400, "missing-field", "group");
    }

    @Test
    void anAutomaticRollbackNeedsTheRollbackPermission() {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        String role = Api.uniqueName("rollout-creator");
        admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("rollouts:create", "rollouts:read")))
                .post("/api/v1/roles").then().statusCode(201);
        String token = admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("tok"), "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");

        as(token).contentType(ContentType.JSON)
                .body(body(m, tag, "failureBudget", Map.of("maxFailurePct", 5, "onFailure", "rollback")))
                .post("/api/v1/rollouts").then().statusCode(403).contentType("application/problem+json")
                .body("code", equalTo("forbidden")).body("field", equalTo("failureBudget.onFailure"));
        // Pausing on failure is the creator's own business.
        create(as(token), body(m, tag, "failureBudget", Map.of("maxFailurePct", 5, "onFailure", "pause")));
        // With rollouts:rollback as well, the same request is fine.
        admin().contentType(ContentType.JSON).body(Map.of("permissions", List.of("rollouts:create", "rollouts:read", "rollouts:rollback")))
                .put("/api/v1/roles/{r}", role).then().statusCode(200);
        create(as(token), body(m, tag, "failureBudget", Map.of("maxFailurePct", 5, "onFailure", "rollback")));
    }

    @Test
    void aStepTheDomainRefusesPausesTheRolloutWithTheReason() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        RolloutFleet.devices(tag, 1);
        long id = create(admin(), body(m, tag)).getLong("id");
        // A stored filter that no longer compiles (as one naming a model deleted since): every step is refused.
        execute("UPDATE rollout SET filter = 'tag==' WHERE id = " + id);
        post(admin(), id, "start").then().statusCode(200);
        awaitState(id, "paused");
        String reason = get(id).getString("stateReason");
        assertTrue(reason.startsWith("paused by the engine: "), reason);
        List<String> kinds = admin().get("/api/v1/rollouts/{id}/events", id).then().statusCode(200).extract().jsonPath().getList("kind");
        assertEquals("paused", kinds.get(kinds.size() - 1), kinds.toString());
        // Paused, it stays paused: the engine does not retry it.
        assertEquals("paused", get(id).getString("state"));
    }

    @Test
    void aWaitingRolloutWritesNoSamplesAndProgressAndEventsArePaged() throws Exception {
        String m = RolloutFleet.model("1.0.0");
        String tag = Api.uniqueName("t");
        List<Dev> devs = RolloutFleet.devices(tag, 2);
        long id = create(admin(), body(m, tag, "start", true,
                "phases", List.of(Map.of("size", "1"), Map.of("approval", true)))).getLong("id");
        devs.get(0).complete(true);
        awaitPhase(id, 1, "waiting-for-approval");
        long samples = count(db, "SELECT count(*) FROM rollout_sample WHERE rollout_id = " + id);
        // The engine keeps stepping the waiting rollout: wait for two of its sample passes (a second each, as configured for tests).
        Timestamp first = timestamp("SELECT last_sample_at FROM rollout WHERE id = " + id);
        Api.await("a sample pass", Duration.ofSeconds(60), () -> timestamp("SELECT last_sample_at FROM rollout WHERE id = " + id).after(first));
        Timestamp second = timestamp("SELECT last_sample_at FROM rollout WHERE id = " + id);
        Api.await("another sample pass", Duration.ofSeconds(60),
                () -> timestamp("SELECT last_sample_at FROM rollout WHERE id = " + id).after(second));
        assertEquals(samples, count(db, "SELECT count(*) FROM rollout_sample WHERE rollout_id = " + id), "nothing changed, nothing sampled");

        List<Map<String, Object>> all = admin().get("/api/v1/rollouts/{id}/progress", id).then().statusCode(200).extract().jsonPath().getList("$");
        assertEquals(samples, all.size());
        admin().get("/api/v1/rollouts/{id}/progress?size=1", id).then().statusCode(200).body("size()", equalTo(1));
        String last = (String) all.get(all.size() - 1).get("at");
        admin().get("/api/v1/rollouts/{id}/progress?since={at}", id, last).then().statusCode(200).body("size()", equalTo(0));
        admin().get("/api/v1/rollouts/{id}/progress?since=yesterday", id).then().statusCode(400)
                .body("code", equalTo("invalid-parameter"));
        admin().get("/api/v1/rollouts/{id}/events?size=2", id).then().statusCode(200).body("size()", equalTo(2))
                .body("[0].kind", equalTo("created"));
        admin().get("/api/v1/rollouts/{id}/events?size=2&page=1", id).then().statusCode(200).body("size()", equalTo(2));
        admin().get("/api/v1/rollouts/{id}/events?size=0", id).then().statusCode(400);

        // GET one has each started phase's health; the list leaves it out.
        assertNotNull(get(id).get("phases[0].health"));
        JsonPath list = admin().get("/api/v1/rollouts?size=100").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> items = list.getList("items");
        Map<String, Object> mine = items.stream().filter(r -> ((Number) r.get("id")).longValue() == id).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> phases = (List<Map<String, Object>>) mine.get("phases");
        assertNull(phases.get(0).get("health"));
    }

    private void execute(String sql) throws java.sql.SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        }
    }

    private Timestamp timestamp(String sql) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
