package dev.modelyard.server.overview;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's read model, in a tenant of its own so that every count is known. */
@QuarkusTest
class OverviewApiTest {

    @Inject
    AgroalDataSource db;

    @Test
    void countsDistributionAndRecentFailuresOfTheCallersTenant() throws Exception {
        String tenant = Api.uniqueName("overview");
        String admin = Api.admin().contentType(ContentType.JSON).body(Map.of("id", tenant, "name", "Team " + tenant))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
        String model = Api.uniqueName("overview-model");
        Api.as(admin).contentType(ContentType.JSON).body(Map.of("name", model)).post("/api/v1/models").then().statusCode(201);
        Api.as(admin).contentType(ContentType.JSON).body(Map.of("version", "1.0.0")).post("/api/v1/models/{m}/versions", model)
                .then().statusCode(201);
        Api.as(admin).contentType("application/octet-stream").body(Api.onnxModel(5)).queryParam("arch", "x86_64")
                .put("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx", model).then().statusCode(201);
        Api.as(admin).post("/api/v1/models/{m}/versions/1.0.0/publish", model).then().statusCode(200);

        String polling = Api.uniqueName("overview-polling");
        String pollingToken = Api.as(admin).contentType(ContentType.JSON).body(Map.of("controllerId", polling))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        String silent = device(admin, "silent");
        String failing = device(admin, "failing");
        // The failing device reported no architecture: the x86_64 artifact does not fit it, so its action fails with that reason.
        long action = ((Number) Api.as(admin).contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "1.0.0", "devices", List.of(failing, silent)))
                .post("/api/v1/deployments").then().statusCode(201).extract().path("actions[0].id")).longValue();
        // One device runs the version (as a successful action would record it).
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO installed_model (tenant, device_id, model_id, version_id, action_id, installed_at)
                SELECT d.tenant, d.id, v.model_id, v.id, ?, now() FROM device d, model_version v JOIN model m ON m.id = v.model_id
                WHERE d.tenant = ? AND d.controller_id = ? AND m.tenant = ? AND m.name = ? AND v.version = '1.0.0'""")) {
            ps.setLong(1, action);
            ps.setString(2, tenant);
            ps.setString(3, polling);
            ps.setString(4, tenant);
            ps.setString(5, model);
            assertEquals(1, ps.executeUpdate());
        }
        given().header("Authorization", "TargetToken " + pollingToken).get("/{t}/controller/v1/{d}", tenant, polling)
                .then().statusCode(200);

        JsonPath o = Api.as(admin).get("/api/v1/overview").then().statusCode(200).extract().jsonPath();
        assertEquals(3, o.getInt("devices.total"));
        assertEquals(o.getInt("devices.total"), o.getInt("devices.online") + o.getInt("devices.offline") + o.getInt("devices.error"));
        assertNotNull(o.get("devices.onlineWindowSeconds"));
        assertEquals(model, o.getString("models[0].model"));
        assertEquals(1, o.getInt("models[0].devices"));
        assertEquals("1.0.0", o.getString("models[0].versions[0].version"));
        assertEquals(1, o.getInt("models[0].versions[0].devices"));
        assertEquals(0, o.getInt("models[0].other"));
        List<Map<String, Object>> failures = o.getList("recentFailures");
        assertFalse(failures.isEmpty(), o.prettify());
        Map<String, Object> f = failures.stream().filter(x -> failing.equals(x.get("device"))).findFirst().orElseThrow();
        assertEquals(model, f.get("model"));
        assertEquals("1.0.0", f.get("version"));
        assertFalse(String.valueOf(f.get("reason")).isBlank(), o.prettify());
        assertEquals(o.getInt("devices.error"), 2, o.prettify()); // both assigned devices lack the architecture
        assertEquals(List.of(), o.getList("rollouts"));

        // The default tenant's overview does not count this tenant's devices or failures.
        String body = Api.admin().get("/api/v1/overview").then().statusCode(200).extract().asString();
        assertFalse(body.contains(failing) || body.contains(model), body);
    }

    @Test
    void partsTheTokenMayNotReadAreLeftOut() {
        String role = Api.uniqueName("overview-devices-only");
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("devices:read")))
                .post("/api/v1/roles").then().statusCode(201);
        String token = Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("ov"), "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        Api.as(token).get("/api/v1/overview").then().statusCode(200).body("models", nullValue()).body("rollouts", nullValue());
        String modelsOnly = Api.uniqueName("overview-models-only");
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", modelsOnly, "permissions", List.of("models:read")))
                .post("/api/v1/roles").then().statusCode(201);
        String other = Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("ov"), "role", modelsOnly))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        Api.as(other).get("/api/v1/overview").then().statusCode(403).body("code", equalTo("forbidden"));
        Api.admin().queryParam("x", "1").get("/api/v1/overview").then().statusCode(400);
    }

    private static String device(String token, String prefix) {
        String id = Api.uniqueName("overview-" + prefix);
        Api.as(token).contentType(ContentType.JSON).body(Map.of("controllerId", id)).post("/api/v1/devices").then().statusCode(201);
        return id;
    }
}
