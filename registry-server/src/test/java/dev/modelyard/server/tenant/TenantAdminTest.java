package dev.modelyard.server.tenant;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Creating, listing and disabling tenants; a tenant's settings; where existing data went. */
@QuarkusTest
class TenantAdminTest {

    @Inject
    AgroalDataSource db;

    @Test
    void theSystemAdministratorCreatesATenantWhoseFirstTokenAdministersIt() {
        String id = Api.uniqueName("team");
        var created = Teams.createTenant(id);
        assertEquals(id, created.getString("tenant.id"));
        assertEquals(true, created.getBoolean("tenant.enabled"));
        assertEquals("admin", created.getString("adminToken.role"));
        String token = created.getString("adminToken.token");
        assertTrue(token.startsWith("myt_") || token.length() > 20, token);

        Teams.systemAdmin().get("/api/v1/tenants").then().statusCode(200).body("id", hasItem(id)).body("id", hasItem("default"));
        Teams.systemAdmin().get("/api/v1/tenants/{id}", id).then().statusCode(200).body("name", equalTo("Team " + id));
        // The new admin works in its own tenant and sees nothing of the default one.
        Api.as(token).get("/api/v1/tokens").then().statusCode(200).body("size()", equalTo(1));
        Api.as(token).get("/api/v1/models").then().statusCode(200).body("total", equalTo(0));
        // It is not a system administrator.
        Api.as(token).get("/api/v1/tenants").then().statusCode(403);
        Api.as(token).contentType(ContentType.JSON).body(Map.of("id", Api.uniqueName("x"), "name", "X"))
                .post("/api/v1/tenants").then().statusCode(403);
        Api.as(Api.token("admin")).contentType(ContentType.JSON).body(Map.of("enabled", false)).patch("/api/v1/tenants/{id}", id)
                .then().statusCode(403);
    }

    @Test
    void badTenantRequestsAreRefusedWithTheirCodes() {
        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("id", "Not_A_Slug", "name", "x"))
                .post("/api/v1/tenants").then().statusCode(400).body("code", equalTo("invalid-name"));
        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("id", "default", "name", "again"))
                .post("/api/v1/tenants").then().statusCode(409).body("code", equalTo("already-exists"));
        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("id", Api.uniqueName("t")))
                .post("/api/v1/tenants").then().statusCode(400).body("code", equalTo("missing-field"));
        Teams.systemAdmin().get("/api/v1/tenants/{id}", "no-such-tenant").then().statusCode(404)
                .body("code", equalTo("tenant-not-found"));
        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("enabled", false)).patch("/api/v1/tenants/default")
                .then().statusCode(409);
        given().get("/api/v1/tenants").then().statusCode(401);
    }

    @Test
    void aDisabledTenantsTokensAndDevicesAreRefusedAndItsDataKept() {
        Teams.Team t = Teams.team("off");
        String poll = "/" + t.tenant() + "/controller/v1/" + t.controllerId();
        Teams.device("TargetToken", t.deviceToken()).get(poll).then().statusCode(200);

        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("enabled", false))
                .patch("/api/v1/tenants/{id}", t.tenant()).then().statusCode(200).body("enabled", equalTo(false));
        t.as().get("/api/v1/models").then().statusCode(401).contentType("application/problem+json")
                .body("code", equalTo("tenant-disabled"));
        Teams.device("TargetToken", t.deviceToken()).get(poll).then().statusCode(401);
        Teams.device("GatewayToken", t.gatewayToken()).get(poll).then().statusCode(401);

        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("enabled", true))
                .patch("/api/v1/tenants/{id}", t.tenant()).then().statusCode(200).body("enabled", equalTo(true));
        t.as().get("/api/v1/models/{m}", t.model()).then().statusCode(200);
        Teams.device("TargetToken", t.deviceToken()).get(poll).then().statusCode(200);
    }

    @Test
    void settingsChangeWhatTheTenantsDevicesAndUploadsSee() {
        Teams.Team t = Teams.team("set");
        String poll = "/" + t.tenant() + "/controller/v1/" + t.controllerId();
        t.as().get("/api/v1/settings").then().statusCode(200).body("tenant", equalTo(t.tenant()))
                .body("gatewayToken.configured", equalTo(true)).body("gatewayToken.token", nullValue())
                .body("pollingInterval", nullValue()).body("maxUploadBytes", nullValue());

        t.as().contentType(ContentType.JSON).body(Map.of("pollingInterval", "PT3S", "maxUploadBytes", 1500))
                .patch("/api/v1/settings").then().statusCode(200).body("pollingInterval", equalTo("PT3S"))
                .body("maxUploadBytes", equalTo(1500));
        Teams.device("TargetToken", t.deviceToken()).accept("application/hal+json").get(poll).then().statusCode(200)
                .body("config.polling.sleep", equalTo("00:00:03"));
        t.as().contentType(ContentType.JSON).body(Map.of("version", "3.0.0")).post("/api/v1/models/{m}/versions", t.model())
                .then().statusCode(201);
        t.as().contentType("application/octet-stream").body(Api.onnxModel(4096, 5))
                .put("/api/v1/models/{m}/versions/3.0.0/artifacts/big.onnx", t.model()).then().statusCode(413)
                .body("code", equalTo("body-too-large"));
        // Other tenants keep the server's settings.
        Api.admin().get("/api/v1/settings").then().statusCode(200).body("tenant", equalTo("default"))
                .body("pollingInterval", nullValue());

        t.as().contentType(ContentType.JSON).body("{\"pollingInterval\":null,\"maxUploadBytes\":null}")
                .patch("/api/v1/settings").then().statusCode(200).body("pollingInterval", nullValue());
        t.as().contentType("application/octet-stream").body(Api.onnxModel(4096, 5))
                .put("/api/v1/models/{m}/versions/3.0.0/artifacts/big.onnx", t.model()).then().statusCode(201);

        t.as().contentType(ContentType.JSON).body(Map.of("pollingInterval", "soon")).patch("/api/v1/settings")
                .then().statusCode(400).body("code", equalTo("invalid-field"));
        t.as().contentType(ContentType.JSON).body(Map.of("maxUploadBytes", -1)).patch("/api/v1/settings")
                .then().statusCode(400).body("code", equalTo("invalid-field"));
        t.as().contentType(ContentType.JSON).body(Map.of("colour", "blue")).patch("/api/v1/settings")
                .then().statusCode(400).body("code", equalTo("unknown-field"));
    }

    @Test
    void aNewGatewayTokenReplacesTheOldOne() {
        Teams.Team t = Teams.team("gw");
        String path = "/" + t.tenant() + "/controller/v1/" + Api.uniqueName("gw-dev");
        Teams.device("GatewayToken", t.gatewayToken()).get(path).then().statusCode(200);
        String next = t.as().post("/api/v1/settings/gateway-token").then().statusCode(200)
                .body("gatewayToken.token", startsWith("mygw_")).extract().path("gatewayToken.token");
        Teams.device("GatewayToken", t.gatewayToken()).get(path).then().statusCode(401);
        Teams.device("GatewayToken", next).get(path).then().statusCode(200);
        t.as().delete("/api/v1/settings/gateway-token").then().statusCode(204);
        Teams.device("GatewayToken", next).get(path).then().statusCode(401);
        t.as().get("/api/v1/settings").then().statusCode(200).body("gatewayToken.configured", equalTo(false));
    }

    @Test
    void everyTenantOwnedTableNamesItsTenantAndExistingRowsBelongToDefault() throws SQLException {
        List<String> tables = List.of("model", "model_version", "model_alias", "model_label", "artifact", "artifact_release",
                "upload_session", "api_token", "trust_root", "publisher_key", "device", "device_tag", "action",
                "action_status", "installed_model", "conversion_profile", "conversion_job", "conversion_job_log", "target_filter");
        List<String> missing = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            for (String table : tables) {
                try (ResultSet rs = c.createStatement().executeQuery("""
                        SELECT is_nullable FROM information_schema.columns
                        WHERE table_name = '%s' AND column_name = 'tenant'""".formatted(table))) {
                    if (!rs.next() || !rs.getString(1).equals("NO")) missing.add(table);
                }
            }
            assertEquals(List.of(), missing, "tables without a NOT NULL tenant column");
            // The bootstrap admin token existed before any tenant did: it is the default tenant's.
            try (ResultSet rs = c.createStatement().executeQuery("SELECT tenant FROM api_token WHERE bootstrap")) {
                assertTrue(rs.next());
                assertEquals("default", rs.getString(1));
            }
            // Rows the ORM writes as part of their owner (tags, labels) and set-based inserts
            // (actions, their history) take their owner's tenant.
            Teams.Team t = Teams.team("rows");
            for (String q : List.of(
                    "SELECT DISTINCT t.tenant FROM device_tag t JOIN device d ON d.id = t.device_id WHERE d.controller_id = '%s'",
                    "SELECT DISTINCT a.tenant FROM action a JOIN device d ON d.id = a.device_id WHERE d.controller_id = '%s'",
                    "SELECT DISTINCT s.tenant FROM action_status s JOIN action a ON a.id = s.action_id JOIN device d ON d.id = a.device_id WHERE d.controller_id = '%s'")) {
                try (ResultSet rs = c.createStatement().executeQuery(q.formatted(t.controllerId()))) {
                    assertTrue(rs.next(), q);
                    assertEquals(t.tenant(), rs.getString(1), q);
                    assertTrue(!rs.next(), q);
                }
            }
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT DISTINCT l.tenant FROM model_label l JOIN model m ON m.id = l.model_id WHERE m.name = '" + t.model() + "'")) {
                assertTrue(rs.next());
                assertEquals(t.tenant(), rs.getString(1));
            }
        }
    }
}
