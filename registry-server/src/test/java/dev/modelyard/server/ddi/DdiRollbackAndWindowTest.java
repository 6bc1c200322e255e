package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.trust.RollbackAuthorization;
import dev.modelyard.wire.trust.SignedEnvelope;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rollback deployments and maintenance windows as DDI devices see them: the signed rollback
 * authorization reaches Modelyard's updater as one more file of the chunk (stock clients still
 * see one artifact), and a closed window turns the update step into {@code skip} with
 * {@code maintenanceWindow: unavailable}, as hawkBit answers.
 */
@QuarkusTest
class DdiRollbackAndWindowTest {

    @Inject
    AgroalDataSource db;

    private static String modelWithTwoReleases() {
        String m = Api.createModel("rbw");
        for (String v : new String[]{"1.0.0", "1.1.0"}) {
            Api.createVersion(m, v);
            Api.upload(m, v, "m.onnx", Api.onnxModel(v.hashCode()), null).then().statusCode(201);
            publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
        }
        return m;
    }

    private static DdiFlowTest.Dev updater(String prefix) {
        DdiFlowTest.Dev d = DdiFlowTest.device(prefix);
        DdiFlowTest.report(d, Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0",
                DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL));
        return d;
    }

    private static void installed(String m, String v, DdiFlowTest.Dev d) {
        long action = DdiFlowTest.assign(m, v, d, "forced").getLong("actions[0].id");
        d.as().contentType(ContentType.JSON).body(DdiFlowTest.feedback("closed", "success", "installed"))
                .post(d.path() + "/deploymentBase/" + action + "/feedback").then().statusCode(200);
    }

    private static JsonPath deployment(DdiFlowTest.Dev d) {
        String href = DdiFlowTest.poll(d).getString("_links.deploymentBase.href");
        return d.as().accept("application/hal+json").get(href).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aRollbackCarriesItsAuthorizationToModelyardsUpdaterOnly() throws Exception {
        String m = modelWithTwoReleases();
        DdiFlowTest.Dev updater = updater("rbw-updater");
        DdiFlowTest.Dev stock = DdiFlowTest.device("rbw-stock");
        DdiFlowTest.report(stock, DdiFlowTest.x86(""));
        installed(m, "1.1.0", updater);
        installed(m, "1.1.0", stock);

        Map<String, Object> body = Map.of("model", m, "version", "1.0.0", "device", updater.id(), "rollback", true);
        // Refused without the option, naming it; and the option needs rollouts:rollback, which publishers lack.
        publisher().contentType(ContentType.JSON).body(Map.of("model", m, "version", "1.0.0", "device", updater.id()))
                .post("/api/v1/deployments").then().statusCode(409).body("code", equalTo("release-counter-rollback"))
                .body("detail", containsString("\"rollback\": true"));
        publisher().contentType(ContentType.JSON).body(body).post("/api/v1/deployments").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden"))
                .body("detail", containsString("rollouts:rollback"));

        JsonPath assigned = admin().contentType(ContentType.JSON)
                .body(Map.of("model", m, "version", "1.0.0", "devices", List.of(updater.id(), stock.id()), "rollback", true))
                .post("/api/v1/deployments").then().statusCode(201)
                .body("assigned", equalTo(2)).body("failed", equalTo(0)).extract().jsonPath();
        assertEquals(List.of(true, true), assigned.getList("actions.rollback"));

        JsonPath dep = deployment(updater);
        assertEquals(List.of("m.onnx", "m.onnx.release.json", "m.onnx.rollback.json"),
                dep.getList("deployment.chunks[0].artifacts.filename"));
        Map<String, Object> file = dep.getMap("deployment.chunks[0].artifacts[2]");
        String href = dep.getString("deployment.chunks[0].artifacts[2]._links.download-http.href");
        byte[] bytes = updater.as().get(href).then().statusCode(200).extract().asByteArray();
        assertEquals(((Number) file.get("size")).longValue(), bytes.length);
        @SuppressWarnings("unchecked")
        Map<String, String> hashes = (Map<String, String>) file.get("hashes");
        assertEquals(hashes.get("sha256"), DdiFlowTest.hex("SHA-256", bytes));
        updater.as().get(href + ".MD5SUM").then().statusCode(200)
                .body(equalTo(hashes.get("md5") + "  m.onnx.rollback.json\n"));
        RollbackAuthorization auth = RollbackAuthorization.fromMap(
                SignedEnvelope.parse(new String(bytes, StandardCharsets.UTF_8)).signed());
        assertEquals(m, auth.model());
        assertEquals("1.0.0", auth.toVersion());
        assertEquals(1, auth.toReleaseCounter());

        // A stock client sees what hawkBit sends for a module with one artifact.
        JsonPath stockDep = deployment(stock);
        assertEquals(1, stockDep.getList("deployment.chunks").size());
        assertEquals(List.of("m.onnx"), stockDep.getList("deployment.chunks[0].artifacts.filename"));
        assertEquals(null, (Object) stockDep.get("deployment.maintenanceWindow"));

        // The updater closes the rollback like any action: 1.0.0 is what it runs now.
        long action = Long.parseLong(dep.getString("id"));
        updater.as().contentType(ContentType.JSON).body(DdiFlowTest.feedback("closed", "success", "rolled back"))
                .post(updater.path() + "/deploymentBase/" + action + "/feedback").then().statusCode(200);
        admin().get("/api/v1/devices/{d}", updater.id()).then().statusCode(200)
                .body("installed.find { it.model == '" + m + "' }.version", equalTo("1.0.0"));
    }

    /** A 5-field schedule whose window opens 12 hours from now: closed now, whatever the time of day. */
    private static String twelveHoursAhead() {
        ZonedDateTime t = ZonedDateTime.now(ZoneOffset.UTC).plusHours(12);
        return t.getMinute() + " " + t.getHour() + " * * *";
    }

    private static Map<String, Object> withWindow(String m, DdiFlowTest.Dev d, String type, Map<String, Object> window) {
        Map<String, Object> body = new HashMap<>(Map.of("model", m, "version", "1.0.0", "device", d.id(), "type", type));
        body.put("maintenanceWindow", window);
        return body;
    }

    @Test
    void aClosedWindowSkipsTheUpdateUntilItOpens() throws Exception {
        String m = modelWithTwoReleases();
        DdiFlowTest.Dev d = updater("win");

        long action = publisher().contentType(ContentType.JSON)
                .body(withWindow(m, d, "forced", Map.of("schedule", twelveHoursAhead(), "duration", "PT1H", "zone", "UTC")))
                .post("/api/v1/deployments").then().statusCode(201)
                .body("actions[0].maintenanceWindow.duration", equalTo("PT1H"))
                .body("actions[0].maintenanceWindow.zone", equalTo("UTC"))
                .extract().jsonPath().getLong("actions[0].id");
        String closedLink = DdiFlowTest.poll(d).getString("_links.deploymentBase.href");
        JsonPath closed = deployment(d);
        assertEquals("forced", closed.getString("deployment.download"));
        assertEquals("skip", closed.getString("deployment.update"));
        assertEquals("unavailable", closed.getString("deployment.maintenanceWindow"));
        // The device downloads and says so; the action stays open, waiting.
        d.as().contentType(ContentType.JSON).body(DdiFlowTest.feedback("downloaded", "none", "downloaded"))
                .post(d.path() + "/deploymentBase/" + action + "/feedback").then().statusCode(200);
        admin().get("/api/v1/actions/{id}", action).then().statusCode(200)
                .body("status", equalTo("downloaded")).body("active", equalTo(true));
        assertEquals("unavailable", deployment(d).getString("deployment.maintenanceWindow"));

        // The window opens (every minute, for an hour: open now): the poll's link changes with it,
        // so clients that fetch the deployment when its link changes see the update step.
        try (Connection c = db.getConnection();
             PreparedStatement w = c.prepareStatement("UPDATE action SET maintenance_schedule = '* * * * *' WHERE id = ?");
             PreparedStatement bump = c.prepareStatement("UPDATE device SET state_version = state_version + 1 WHERE controller_id = ?")) {
            w.setLong(1, action);
            assertEquals(1, w.executeUpdate());
            bump.setString(1, d.id());
            assertEquals(1, bump.executeUpdate());
        }
        String[] openLink = {null};
        Api.await("the poll offers the deployment with the window open", java.time.Duration.ofSeconds(60), () -> {
            openLink[0] = DdiFlowTest.poll(d).getString("_links.deploymentBase.href");
            return !closedLink.equals(openLink[0]);
        });
        assertTrue(openLink[0].contains("/deploymentBase/" + action + "?c="), openLink[0]);
        JsonPath open = deployment(d);
        assertEquals("forced", open.getString("deployment.update"));
        assertEquals("available", open.getString("deployment.maintenanceWindow"));

        // A soft action in an open window asks as soft actions do (read in the zone the device
        // reports); without a window nothing is said.
        DdiFlowTest.Dev softDevice = updater("win-soft");
        DdiFlowTest.report(softDevice, Map.of(DeviceAttributes.TIMEZONE, "Asia/Tokyo"));
        JsonPath soft = publisher().contentType(ContentType.JSON)
                .body(withWindow(m, softDevice, "soft", Map.of("schedule", "* * * * *", "duration", "PT1H")))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
        assertNotEquals(action, soft.getLong("actions[0].id"));
        JsonPath softDep = deployment(softDevice);
        assertEquals("attempt", softDep.getString("deployment.update"));
        assertEquals("available", softDep.getString("deployment.maintenanceWindow"));
        DdiFlowTest.Dev plainDevice = updater("win-plain");
        DdiFlowTest.assign(m, "1.1.0", plainDevice, "forced");
        JsonPath plain = deployment(plainDevice);
        assertEquals("forced", plain.getString("deployment.update"));
        assertEquals(null, (Object) plain.get("deployment.maintenanceWindow"));
    }

    /**
     * A window stored before the checks refused such (a schedule that never fires, an unknown
     * zone): every poll is still answered, the deployment is offered with the update step held
     * (as hawkBit holds a lapsed schedule), and the device's download proceeds.
     */
    @Test
    void aStoredWindowThatCannotBeEvaluatedHoldsTheUpdateAndNeverFailsAPoll() throws Exception {
        String m = modelWithTwoReleases();
        DdiFlowTest.Dev d = updater("win-stored");
        long action = publisher().contentType(ContentType.JSON)
                .body(withWindow(m, d, "forced", Map.of("schedule", twelveHoursAhead(), "duration", "PT1H", "zone", "UTC")))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath().getLong("actions[0].id");
        String[][] stored = {{"0 0 30 2 *", "UTC"}, {"0 0 * * *", "Mars/Olympus"}};
        for (String[] w : stored) {
            try (Connection c = db.getConnection();
                 PreparedStatement set = c.prepareStatement(
                         "UPDATE action SET maintenance_schedule = ?, maintenance_zone = ? WHERE id = ?");
                 PreparedStatement bump = c.prepareStatement(
                         "UPDATE device SET state_version = state_version + 1 WHERE controller_id = ?")) {
                set.setString(1, w[0]);
                set.setString(2, w[1]);
                set.setLong(3, action);
                assertEquals(1, set.executeUpdate());
                bump.setString(1, d.id());
                assertEquals(1, bump.executeUpdate());
            }
            for (int i = 0; i < 3; i++) {
                d.as().get(d.path()).then().statusCode(200)
                        .body("_links.deploymentBase.href", org.hamcrest.Matchers.containsString("/deploymentBase/" + action));
            }
            JsonPath dep = deployment(d);
            assertEquals("forced", dep.getString("deployment.download"), w[0] + " " + w[1]);
            assertEquals("skip", dep.getString("deployment.update"), w[0] + " " + w[1]);
            assertEquals("unavailable", dep.getString("deployment.maintenanceWindow"), w[0] + " " + w[1]);
        }
    }

    @Test
    void invalidWindowsAreRefusedWithTheField() {
        String m = modelWithTwoReleases();
        DdiFlowTest.Dev d = updater("win-bad");
        Object[][] cases = {
                {"forced", Map.of("schedule", "0 0 * *", "duration", "PT1H"), "maintenanceWindow.schedule"},
                {"forced", Map.of("schedule", "0 0 * * * ?", "duration", "PT1H"), "maintenanceWindow.schedule"},
                {"forced", Map.of("schedule", "0 0 * * *", "duration", "1 hour"), "maintenanceWindow.duration"},
                {"forced", Map.of("schedule", "0 0 * * *", "duration", "P8D"), "maintenanceWindow.duration"},
                {"forced", Map.of("schedule", "0 0 * * *"), "maintenanceWindow.duration"},
                {"forced", Map.of("schedule", "0 0 30 2 *", "duration", "PT1H"), "maintenanceWindow.schedule"},
                {"forced", Map.of("schedule", "0 0 * * *", "duration", "PT0.5S"), "maintenanceWindow.duration"},
                {"forced", Map.of("schedule", "0 0 * * *", "duration", "PT1H", "zone", "Mars/Olympus"), "maintenanceWindow.zone"},
                {"downloadonly", Map.of("schedule", "0 0 * * *", "duration", "PT1H"), "maintenanceWindow"},
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, Object> window = (Map<String, Object>) c[1];
            publisher().contentType(ContentType.JSON).body(withWindow(m, d, (String) c[0], window))
                    .post("/api/v1/deployments").then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("invalid-field")).body("field", equalTo(c[2]));
        }
        admin().get("/api/v1/actions?device=" + d.id()).then().statusCode(200).body("total", equalTo(0));
        publisher().contentType(ContentType.JSON).body(withWindow(m, d, "forced", Map.of("schedule", "0 0 * * *",
                "duration", "PT1H", "zone", "UTC", "extra", 1))).post("/api/v1/deployments").then().statusCode(400)
                .contentType("application/problem+json");
    }
}
