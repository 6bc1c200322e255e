package dev.modelyard.server.tenant;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tenant a client names in {@code Modelyard-Tenant} must be its token's: anything else is refused, nothing done. */
@QuarkusTest
class TenantHeaderTest {

    @Test
    void theTokensOwnTenantIsAcceptedAndAnyOtherRefused() {
        String id = Api.uniqueName("hdr");
        String token = Teams.createTenant(id).getString("adminToken.token");

        Api.as(token).header(TenantHeaderFilter.HEADER, id).get("/api/v1/models").then().statusCode(200);
        Api.as(Api.token("admin")).header(TenantHeaderFilter.HEADER, Tenants.DEFAULT).get("/api/v1/models").then().statusCode(200);

        String model = Api.uniqueName("m");
        Api.as(Api.token("admin")).header(TenantHeaderFilter.HEADER, id).contentType(ContentType.JSON)
                .body(Map.of("name", model)).post("/api/v1/models")
                .then().statusCode(403).body("code", equalTo("tenant-mismatch")).body("detail", containsString("'default'"));
        // Refused before anything happened: the model exists in neither tenant.
        Api.as(Api.token("admin")).get("/api/v1/models/{m}", model).then().statusCode(404);
        Api.as(token).get("/api/v1/models/{m}", model).then().statusCode(404);

        Api.as(token).header(TenantHeaderFilter.HEADER, "default").get("/rest/v1/targets")
                .then().statusCode(403);
    }

    @Test
    void withoutCredentialsTheHeaderChangesNothing() {
        io.restassured.RestAssured.given().header(TenantHeaderFilter.HEADER, "default").get("/api/v1/models").then().statusCode(401);
    }
}
