package dev.modelyard.server.auth;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RoleApiTest {

    private static void createRole(String token, String name, List<String> permissions, int status) {
        as(token).contentType(ContentType.JSON).body(Map.of("name", name, "permissions", permissions))
                .post("/api/v1/roles").then().statusCode(status);
    }

    private static String issue(String issuer, String role, int status) {
        return as(issuer).contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("t"), "role", role))
                .post("/api/v1/tokens").then().statusCode(status).extract().path("token");
    }

    @Test
    void builtInRolesAreListedAndReserved() {
        admin().get("/api/v1/roles").then().statusCode(200)
                .body("findAll { it.builtIn }.name", equalTo(List.of("viewer", "publisher", "operator", "admin", "system-admin")));
        admin().get("/api/v1/roles/operator").then().statusCode(200)
                .body("permissions", hasItems("rollouts:approve", "rollouts:rollback", "devices:credentials", "models:read"));
        admin().contentType(ContentType.JSON).body(Map.of("name", "admin", "permissions", List.of("models:read")))
                .post("/api/v1/roles").then().statusCode(409).body("code", equalTo("role-built-in"));
        admin().contentType(ContentType.JSON).body(Map.of("permissions", List.of("models:read")))
                .put("/api/v1/roles/viewer").then().statusCode(409).body("code", equalTo("role-built-in"));
        admin().delete("/api/v1/roles/publisher").then().statusCode(409).body("code", equalTo("role-built-in"));
        admin().get("/api/v1/roles/no-such-role").then().statusCode(404).body("code", equalTo("role-not-found"));
    }

    @Test
    void aCustomRoleGrantsExactlyItsPermissionsAndChangesApplyAtTheNextRequest() {
        String role = Api.uniqueName("model-reader");
        createRole(TestTokens.ADMIN, role, List.of("models:read"), 201);
        admin().get("/api/v1/roles/{r}", role).then().statusCode(200).body("builtIn", equalTo(false))
                .body("permissions", equalTo(List.of("models:read")));
        String token = issue(TestTokens.ADMIN, role, 201);
        as(token).get("/api/v1/models").then().statusCode(200);
        as(token).get("/api/v1/devices").then().statusCode(403).body("code", equalTo("forbidden"));

        admin().contentType(ContentType.JSON).body(Map.of("permissions", List.of("models:read", "devices:read")))
                .put("/api/v1/roles/{r}", role).then().statusCode(200);
        as(token).get("/api/v1/devices").then().statusCode(200);

        admin().delete("/api/v1/roles/{r}", role).then().statusCode(409).body("code", equalTo("role-in-use"));
        admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("models:read")))
                .post("/api/v1/roles").then().statusCode(409).body("code", equalTo("already-exists"));
    }

    @Test
    void permissionsAreChecked() {
        admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("bad"), "permissions", List.of("models:fly")))
                .post("/api/v1/roles").then().statusCode(400).body("code", equalTo("invalid-field"))
                .body("field", equalTo("permissions"));
        admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("bad")))
                .post("/api/v1/roles").then().statusCode(400).body("code", equalTo("missing-field"));
        admin().contentType(ContentType.JSON).body(Map.of("name", "x", "role", "no-such-role")).post("/api/v1/tokens")
                .then().statusCode(400).body("field", equalTo("role")).body("detail", containsString("no-such-role"));
    }

    @Test
    void noEscalationThroughRolesOrTokens() {
        // A role that may manage roles and tokens, but holds nothing else.
        String manager = Api.uniqueName("role-manager");
        createRole(TestTokens.ADMIN, manager, List.of("roles:read", "roles:create", "roles:update", "tokens:create"), 201);
        String token = issue(TestTokens.ADMIN, manager, 201);

        // It cannot widen its own role, nor create a wider one, nor issue a token of a wider role.
        as(token).contentType(ContentType.JSON)
                .body(Map.of("permissions", List.of("roles:read", "roles:create", "roles:update", "tokens:create", "tenants:create")))
                .put("/api/v1/roles/{r}", manager).then().statusCode(403).body("code", equalTo("permission-not-held"))
                .body("detail", containsString("tenants:create"));
        createRole(token, Api.uniqueName("wider"), List.of("models:delete"), 403);
        issue(token, "viewer", 403);
        as(token).contentType(ContentType.JSON).body(Map.of("name", "x", "role", "admin")).post("/api/v1/tokens")
                .then().statusCode(403).body("code", equalTo("permission-not-held"));
        admin().get("/api/v1/roles/{r}", manager).then().body("permissions", org.hamcrest.Matchers.not(hasItem("tenants:create")));

        // Within what it holds it may act: a narrower role, and tokens of its own role.
        String narrower = Api.uniqueName("narrower");
        createRole(token, narrower, List.of("roles:read"), 201);
        issue(token, narrower, 201);
        issue(token, manager, 201);
    }

    /** The test server's bootstrap token (system-admin). */
    private static final class TestTokens {
        static final String ADMIN = dev.modelyard.server.TestServer.ADMIN_TOKEN;
    }
}
