package dev.modelyard.server.auth;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /api/v1/session: who the calling token is, for any valid token and nobody else. */
@QuarkusTest
class SessionApiTest {

    @Test
    void theBootstrapTokenSeesItselfAsSystemAdmin() {
        List<String> permissions = admin().get("/api/v1/session").then().statusCode(200)
                .body("tenant.id", equalTo("default"))
                .body("tenant.name", notNullValue())
                .body("token.name", equalTo("bootstrap-admin"))
                .body("token.role", equalTo("system-admin"))
                .body("token.id", notNullValue())
                .body("token.expiresAt", nullValue())
                .extract().path("permissions");
        assertEquals(Permission.ALL.stream().sorted().toList(), permissions);
    }

    @Test
    void aViewerSeesItsRoleScopeExpiryAndSortedPermissions() {
        Instant expires = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String name = Api.uniqueName("session-viewer");
        String secret = admin().contentType(ContentType.JSON)
                .body(Map.of("name", name, "role", "viewer", "scope", "vision-*", "expiresAt", expires.toString()))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        List<String> permissions = as(secret).get("/api/v1/session").then().statusCode(200)
                .body("token.name", equalTo(name)).body("token.role", equalTo("viewer"))
                .body("token.scope", equalTo("vision-*"))
                .body("token.expiresAt", equalTo(expires.toString()))
                .body("permissions", hasItem("models:read"))
                .body("permissions", not(hasItem("tokens:read")))
                .extract().path("permissions");
        // Scoped: only the catalogue's permissions, which are all it can use (the rest answers 403 out-of-scope).
        assertEquals(Role.VIEWER.permissions().stream()
                .filter(p -> p.startsWith("models:") || p.startsWith("artifacts:")).sorted().toList(), permissions);
        assertTrue(Role.VIEWER.permissions().contains("devices:read"), "the viewer role itself reads devices");
        as(secret).get("/api/v1/devices").then().statusCode(403).body("code", equalTo("out-of-scope"));
    }

    @Test
    void aScopedAdminTokenIsToldOnlyTheCatalogue() {
        String secret = admin().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("session-scoped-admin"), "role", "admin", "scope", "kws-*"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        List<String> permissions = as(secret).get("/api/v1/session").then().statusCode(200)
                .body("token.scope", equalTo("kws-*")).extract().path("permissions");
        assertTrue(permissions.contains("models:create") && permissions.contains("artifacts:create"), permissions.toString());
        assertTrue(permissions.stream().allMatch(p -> p.startsWith("models:") || p.startsWith("artifacts:")),
                permissions.toString());
        as(secret).get("/api/v1/rollouts").then().statusCode(403).body("code", equalTo("out-of-scope"));
        as(secret).get("/api/v1/audit").then().statusCode(403).body("code", equalTo("out-of-scope"));
    }

    @Test
    void anUnscopedTokenIsToldItsRolesPermissions() {
        String secret = admin().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("session-unscoped"), "role", "viewer"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        List<String> permissions = as(secret).get("/api/v1/session").then().statusCode(200).extract().path("permissions");
        assertEquals(Role.VIEWER.permissions().stream().sorted().toList(), permissions);
    }

    @Test
    void aCustomRoleWithNoPermissionStillReadsItsSession() {
        String role = Api.uniqueName("session-empty");
        admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of()))
                .post("/api/v1/roles").then().statusCode(201);
        String secret = admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("s"), "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        as(secret).get("/api/v1/session").then().statusCode(200).body("token.role", equalTo(role))
                .body("permissions", equalTo(List.of()));
    }

    @Test
    void withoutAValidTokenIs401() {
        given().get("/api/v1/session").then().statusCode(401).contentType("application/problem+json");
        as("myd_not-a-real-token").get("/api/v1/session").then().statusCode(401).body("code", equalTo("unauthorized"));
        var issued = admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("gone"), "role", "viewer"))
                .post("/api/v1/tokens").then().statusCode(201).extract();
        String secret = issued.path("token");
        as(secret).get("/api/v1/session").then().statusCode(200);
        admin().delete("/api/v1/tokens/{id}", (String) issued.path("id")).then().statusCode(200);
        as(secret).get("/api/v1/session").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void theTenantHeaderChecksTheTokensTenant() {
        admin().header("Modelyard-Tenant", "default").get("/api/v1/session").then().statusCode(200);
        admin().header("Modelyard-Tenant", "team-elsewhere").get("/api/v1/session").then().statusCode(403)
                .body("code", equalTo("tenant-mismatch"));
    }

    @Test
    void unknownQueryParametersAreRefused() {
        admin().get("/api/v1/session?tenant=x").then().statusCode(400).body("code", equalTo("unknown-query-parameter"));
    }
}
