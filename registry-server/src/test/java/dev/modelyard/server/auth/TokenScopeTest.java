package dev.modelyard.server.auth;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class TokenScopeTest {

    private static String scoped(String role, String scope) {
        return admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("scoped"), "role", role, "scope", scope))
                .post("/api/v1/tokens").then().statusCode(201).body("scope", equalTo(scope)).extract().path("token");
    }

    @Test
    void aScopedTokenSeesAndActsOnItsModelsOnly() {
        String prefix = Api.uniqueName("vision");
        String inside = Api.createModel(prefix + "-a");
        String outside = Api.createModel("speech");
        String token = scoped("publisher", prefix + "-*");

        as(token).get("/api/v1/models?size=500").then().statusCode(200)
                .body("items.name", hasItem(inside)).body("items.name", everyItem(startsWith(prefix + "-")));
        as(token).get("/api/v1/models/{m}", inside).then().statusCode(200);
        as(token).contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .post("/api/v1/models/{m}/versions", inside).then().statusCode(201);

        // Outside the scope a model does not exist for it, whatever the operation.
        as(token).get("/api/v1/models/{m}", outside).then().statusCode(404).body("code", equalTo("model-not-found"));
        as(token).get("/api/v1/models/{m}/versions", outside).then().statusCode(404).body("code", equalTo("model-not-found"));
        as(token).contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .post("/api/v1/models/{m}/versions", outside).then().statusCode(404);
        admin().get("/api/v1/models/{m}/versions", outside).then().statusCode(200).body("items", equalTo(java.util.List.of()));

        // It may create models inside its scope only.
        as(token).contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("other"))).post("/api/v1/models")
                .then().statusCode(403).body("code", equalTo("out-of-scope"));
    }

    @Test
    void aScopedTokenStaysInTheCatalogue() {
        String token = scoped("admin", "vision-*");
        as(token).get("/api/v1/devices").then().statusCode(403).body("code", equalTo("out-of-scope"));
        as(token).get("/api/v1/tokens").then().statusCode(403).body("code", equalTo("out-of-scope"));
        as(token).get("/api/v1/actions").then().statusCode(403).body("code", equalTo("out-of-scope"));
        as(token).get("/rest/v1/softwaremodules").then().statusCode(403);
        as(token).get("/api/v1/trust/roots").then().statusCode(not(403));
    }

    @Test
    void scopesAreValidated() {
        admin().contentType(ContentType.JSON).body(Map.of("name", "x", "role", "viewer", "scope", "Vision/*"))
                .post("/api/v1/tokens").then().statusCode(400).body("code", equalTo("invalid-field")).body("field", equalTo("scope"));
        scoped("viewer", "audio-?");
        admin().get("/api/v1/tokens").then().statusCode(200).body("findAll { it.scope == 'audio-?' }.role", hasItem("viewer"))
                .body("findAll { it.scope == null }.name", hasItem("bootstrap-admin"));
    }
}
