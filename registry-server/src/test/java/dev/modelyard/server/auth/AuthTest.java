package dev.modelyard.server.auth;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.as;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuthTest {

    @Test
    void missingTokenIs401WithChallenge() {
        given().get("/api/v1/models").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json")
                .body("detail", containsString("Bearer"));
    }

    @Test
    void unknownOrMalformedTokenIs401() {
        as("myd_not-a-real-token").get("/api/v1/models").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("unknown"));
        given().header("Authorization", "Basic dXNlcjpwYXNz").get("/api/v1/models").then().statusCode(401)
                .body("detail", containsString("Bearer"));
        given().header("Authorization", "Bearer ").get("/api/v1/models").then().statusCode(401);
    }

    @Test
    void rolesAreEnforced() {
        viewer().get("/api/v1/models").then().statusCode(200);
        viewer().contentType(ContentType.JSON).body(Map.of("name", "viewer-cannot")).post("/api/v1/models")
                .then().statusCode(403).contentType("application/problem+json");
        publisher().contentType(ContentType.JSON).body(Map.of("name", "x", "role", "admin")).post("/api/v1/tokens")
                .then().statusCode(403);
        publisher().get("/api/v1/tokens").then().statusCode(403);
    }

    @Test
    void operatorRunsTheFleetButDoesNotPublish() {
        String operator = Api.token("operator");
        String device = Api.uniqueName("op-device");
        as(operator).contentType(ContentType.JSON).body(Map.of("controllerId", device)).post("/api/v1/devices")
                .then().statusCode(201);
        as(operator).post("/api/v1/devices/{id}/token", device).then().statusCode(200).body("token", notNullValue());
        as(operator).get("/api/v1/models").then().statusCode(200);
        as(operator).contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("op-model"))).post("/api/v1/models")
                .then().statusCode(403).contentType("application/problem+json").body("code", equalTo("forbidden"));
        as(operator).get("/api/v1/tokens").then().statusCode(403);
        as(operator).delete("/api/v1/devices/{id}", device).then().statusCode(204);
    }

    @Test
    void deletingAModelNeedsMoreThanPublishing() {
        String model = Api.createModel("del");
        publisher().delete("/api/v1/models/{m}", model).then().statusCode(403).body("code", equalTo("forbidden"));
        as(Api.token("admin")).delete("/api/v1/models/{m}", model).then().statusCode(204);
    }

    @Test
    void noTokenIsIssuedWithPermissionsItsIssuerLacks() {
        String admin = Api.token("admin");
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "escalate", "role", "system-admin")).post("/api/v1/tokens")
                .then().statusCode(403).contentType("application/problem+json").body("code", equalTo("forbidden"))
                .body("detail", containsString("system-admin"));
        as(admin).contentType(ContentType.JSON).body(Map.of("name", "peer", "role", "admin")).post("/api/v1/tokens")
                .then().statusCode(201).body("role", equalTo("admin"));
        // The bootstrap token is system-admin: it may issue one.
        admin().contentType(ContentType.JSON).body(Map.of("name", "sys", "role", "system-admin")).post("/api/v1/tokens")
                .then().statusCode(201).body("role", equalTo("system-admin"));
    }

    @Test
    void tokensAreShownOnceAndCanBeRevoked() {
        var created = admin().contentType(ContentType.JSON).body(Map.of("name", "ci-bot", "role", "publisher"))
                .post("/api/v1/tokens").then().statusCode(201)
                .body("token", startsWith("myd_")).body("role", equalTo("publisher")).extract();
        String secret = created.path("token");
        String id = created.path("id");
        as(secret).contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("by-bot"))).post("/api/v1/models")
                .then().statusCode(201);
        admin().get("/api/v1/tokens").then().statusCode(200)
                .body("findAll { it.id == '" + id + "' }.hint[0]", equalTo(secret.substring(0, 8)))
                .body("", everyItem(not(hasKey("token"))));
        admin().delete("/api/v1/tokens/{id}", id).then().statusCode(200).body("revokedAt", org.hamcrest.Matchers.notNullValue());
        as(secret).get("/api/v1/models").then().statusCode(401);
        admin().delete("/api/v1/tokens/{id}", "00000000-0000-0000-0000-000000000000").then().statusCode(404);
    }

    @Test
    void tokenRequestsAreValidated() {
        admin().contentType(ContentType.JSON).body(Map.of("name", "x", "role", "superuser")).post("/api/v1/tokens")
                .then().statusCode(400).body("detail", containsString("role"));
        admin().contentType(ContentType.JSON).body(Map.of("name", "Bad Name", "role", "viewer")).post("/api/v1/tokens")
                .then().statusCode(400);
        admin().contentType(ContentType.JSON).body(Map.of("name", "old", "role", "viewer", "expiresAt", "2000-01-01T00:00:00Z"))
                .post("/api/v1/tokens").then().statusCode(400).body("detail", containsString("future"));
    }

    @Test
    void healthMetricsAndApiDocsAreOpen() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("http_server_requests"));
        given().get("/q/openapi?format=json").then().statusCode(200).body("info.title", equalTo("Modelyard API"));
    }

    @Test
    void unknownPathsAreProblems() {
        viewer().get("/api/v1/nothing-here").then().statusCode(404);
        admin().delete("/api/v1/tokens").then().statusCode(405).contentType("application/problem+json");
    }
}
