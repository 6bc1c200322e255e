package dev.modelyard.server.devicefilter;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The filter builder's suggestions: selectors and values from what the tenant's fleet reports, counted, strict, isolated. */
@QuarkusTest
class DeviceSuggestionsApiTest {

    @Inject
    DeviceSuggestions suggestions;

    /** A fresh tenant (its counts are its own, whatever other tests register) and its admin token. */
    private static String tenantAdmin(String tenant) {
        return Api.as(TestServer.ADMIN_TOKEN).contentType(ContentType.JSON).body(Map.of("id", tenant, "name", "Team " + tenant))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
    }

    private static void device(RequestSpecification as, String id, Map<String, String> attributes, List<String> tags) {
        as.contentType(ContentType.JSON).body(Map.of("controllerId", id, "attributes", attributes, "tags", tags))
                .post("/api/v1/devices").then().statusCode(201);
    }

    @Test
    void selectorsAndValuesComeFromTheFleetWithCounts() {
        String tenant = Api.uniqueName("sugg");
        String admin = tenantAdmin(tenant);
        String viewer = Api.as(admin).contentType(ContentType.JSON).body(Map.of("name", "v", "role", "viewer"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        device(Api.as(admin), "cam-1", Map.of("arch", "aarch64", "ram.mb", "2048"), List.of("store"));
        device(Api.as(admin), "cam-2", Map.of("arch", "aarch64"), List.of("store", "kiosk"));
        device(Api.as(admin), "cam-3", Map.of("arch", "x86_64"), List.of());
        device(Api.as(admin), "lobby-1", Map.of("arch", "armv7", "site", "Main Hall"), List.of("store"));

        Api.as(viewer).get("/api/v1/devices/suggestions").then().statusCode(200)
                .body("devices", equalTo(4))
                .body("selectors.selector", hasItems("controllerId", "status", "tag", "lastSeen", "attribute.arch",
                        "attribute.ram.mb", "attribute.site"))
                .body("selectors.find { it.selector == 'attribute.arch' }.devices", equalTo(4))
                .body("selectors.find { it.selector == 'attribute.arch' }.kind", equalTo("attribute"))
                .body("selectors.find { it.selector == 'attribute.arch' }.operators", hasItem("=ge="))
                .body("selectors.find { it.selector == 'attribute.site' }.devices", equalTo(1))
                .body("selectors.find { it.selector == 'tag' }.devices", equalTo(3))
                .body("selectors.find { it.selector == 'status' }.operators", not(hasItem("=lt=")));

        Api.as(viewer).queryParam("selector", "attribute.arch").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("aarch64", "armv7", "x86_64")).body("values.devices", contains(2, 1, 1))
                .body("more", equalTo(false));
        Api.as(viewer).queryParam("selector", "attribute.arch").queryParam("prefix", "AA")
                .get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("aarch64")).body("prefix", equalTo("AA"));
        Api.as(viewer).queryParam("selector", "attribute.arch").queryParam("limit", 1)
                .get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("aarch64")).body("more", equalTo(true));
        Api.as(viewer).queryParam("selector", "tag").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("store", "kiosk")).body("values.devices", contains(3, 1));
        Api.as(viewer).queryParam("selector", "status").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", hasItems("registered", "in_sync", "error")).body("values[0].devices", equalTo(4));
        Api.as(viewer).queryParam("selector", "controllerId").queryParam("prefix", "cam")
                .get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("cam-1", "cam-2", "cam-3"));
        Api.as(viewer).queryParam("selector", "lastSeen").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", hasItem("-P1D"));
        // a key no device reports is refused before any scan, naming what is accepted
        Api.as(viewer).queryParam("selector", "attribute.nothing").get("/api/v1/devices/suggestions/values").then()
                .statusCode(400).body("code", equalTo("invalid-parameter")).body("parameter", equalTo("selector"))
                .body("detail", containsString("not an attribute key any device reports"))
                .body("accepted", hasItem("attribute.<key>"));
        Api.as(viewer).queryParam("selector", "installed.no-such-model").get("/api/v1/devices/suggestions/values").then()
                .statusCode(400).body("code", equalTo("invalid-parameter"))
                .body("detail", containsString("not a model any device has installed"));
    }

    @Test
    void anotherTenantsFleetIsNeverSuggested() {
        String mine = tenantAdmin(Api.uniqueName("iso-a"));
        String theirs = tenantAdmin(Api.uniqueName("iso-b"));
        String secretKey = Api.uniqueName("secretkey").replace('-', '_');
        device(Api.as(theirs), "their-1", Map.of(secretKey, "classified"), List.of("hidden"));
        device(Api.as(mine), "my-1", Map.of("arch", "aarch64"), List.of("mine"));

        Api.as(mine).get("/api/v1/devices/suggestions").then().statusCode(200)
                .body("devices", equalTo(1))
                .body("selectors.selector", not(hasItem("attribute." + secretKey)));
        Api.as(mine).queryParam("selector", "attribute." + secretKey).get("/api/v1/devices/suggestions/values").then()
                .statusCode(400).body("code", equalTo("invalid-parameter"));
        Api.as(mine).queryParam("selector", "tag").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("mine"));
        Api.as(mine).queryParam("selector", "controllerId").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("my-1"));
        Api.as(theirs).get("/api/v1/devices/suggestions").then().statusCode(200)
                .body("selectors.selector", hasItem("attribute." + secretKey));
    }

    @Test
    void randomSelectorsNeitherScanNorFillTheCache() {
        String quiet = Api.uniqueName("cache-a");
        String noisy = Api.uniqueName("cache-b");
        String a = tenantAdmin(quiet);
        String b = tenantAdmin(noisy);
        device(Api.as(a), "a-1", Map.of("arch", "aarch64"), List.of("store"));
        device(Api.as(b), "b-1", Map.of("arch", "x86_64"), List.of("lab"));
        Api.as(a).queryParam("selector", "attribute.arch").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("aarch64"));
        int quietKept = suggestions.keptFor(quiet);
        for (int i = 0; i < 60; i++) {
            Api.as(b).queryParam("selector", "attribute.random" + i).get("/api/v1/devices/suggestions/values").then()
                    .statusCode(400).body("code", equalTo("invalid-parameter"));
            Api.as(b).queryParam("selector", "installed.random" + i).get("/api/v1/devices/suggestions/values").then()
                    .statusCode(400).body("code", equalTo("invalid-parameter"));
        }
        // only the noisy tenant's selector list was counted and kept; the other tenant's answers are untouched
        assertThat(suggestions.keptFor(noisy), lessThanOrEqualTo(1));
        assertThat(suggestions.keptFor(quiet), equalTo(quietKept));
        assertThat(quietKept, lessThanOrEqualTo(DeviceSuggestions.MAX_CACHED_PER_TENANT));
        Api.as(b).queryParam("selector", "attribute.arch").get("/api/v1/devices/suggestions/values").then().statusCode(200)
                .body("values.value", contains("x86_64"));
    }

    @Test
    void refusesWhatItCannotAnswer() {
        Api.viewer().get("/api/v1/devices/suggestions/values").then().statusCode(400)
                .body("code", equalTo("invalid-parameter")).body("parameter", equalTo("selector"));
        Api.viewer().queryParam("selector", "atribute.arch").get("/api/v1/devices/suggestions/values").then().statusCode(400)
                .body("code", equalTo("invalid-parameter")).body("detail", containsString("did you mean 'attribute.arch'"))
                .body("accepted", hasItem("attribute.<key>"));
        Api.viewer().queryParam("selector", "tag").queryParam("limit", 0).get("/api/v1/devices/suggestions/values").then()
                .statusCode(400).body("parameter", equalTo("limit"));
        Api.viewer().queryParam("selector", "tag").queryParam("limit", 101).get("/api/v1/devices/suggestions/values").then()
                .statusCode(400).body("parameter", equalTo("limit"));
        Api.viewer().queryParam("selector", "tag").queryParam("prefix", "x".repeat(257))
                .get("/api/v1/devices/suggestions/values").then().statusCode(400).body("parameter", equalTo("prefix"));
        Api.viewer().queryParam("selektor", "tag").get("/api/v1/devices/suggestions/values").then().statusCode(400)
                .body("code", equalTo("unknown-query-parameter"));
        Api.viewer().queryParam("q", "x").get("/api/v1/devices/suggestions").then().statusCode(400)
                .body("code", equalTo("unknown-query-parameter"));
        io.restassured.RestAssured.given().get("/api/v1/devices/suggestions").then().statusCode(401);
        // a role without devices:read (a custom one) is refused
        String role = Api.uniqueName("noread");
        Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "permissions", List.of("models:read")))
                .post("/api/v1/roles").then().statusCode(201);
        String token = Api.admin().contentType(ContentType.JSON).body(Map.of("name", role, "role", role))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        Api.as(token).get("/api/v1/devices/suggestions").then().statusCode(403);
        Api.as(token).queryParam("selector", "tag").get("/api/v1/devices/suggestions/values").then().statusCode(403);
    }

    @Test
    void filterCheckAnswersTheProblemWithoutAnErrorStatus() {
        String admin = tenantAdmin(Api.uniqueName("check"));
        device(Api.as(admin), "cam-1", Map.of("arch", "aarch64"), List.of("store"));
        device(Api.as(admin), "cam-2", Map.of("arch", "x86_64"), List.of("store"));
        Api.as(admin).queryParam("q", "tag==store;attribute.arch==aarch64").get("/api/v1/devices/filter-check").then()
                .statusCode(200).body("valid", equalTo(true)).body("count", equalTo(1)).body("problem", nullValue());
        Api.as(admin).get("/api/v1/devices/filter-check").then().statusCode(200).body("valid", equalTo(true)).body("count", equalTo(2));
        Api.as(admin).queryParam("q", "tag==store").queryParam("count", false).get("/api/v1/devices/filter-check").then()
                .statusCode(200).body("valid", equalTo(true)).body("count", nullValue());
        // the same members as the 400 the count answers
        Api.as(admin).queryParam("q", "tag==store;atribute.arch==aarch64").get("/api/v1/devices/filter-check").then()
                .statusCode(200).body("valid", equalTo(false)).body("count", nullValue())
                .body("problem.code", equalTo("invalid-filter")).body("problem.offset", equalTo(11))
                .body("problem.parameter", equalTo("q"))
                .body("problem.detail", containsString("did you mean 'attribute.arch'"))
                .body("problem.accepted", hasItem("attribute.<key>"));
        Api.as(admin).queryParam("q", "tag==store;atribute.arch==aarch64").get("/api/v1/devices/count").then()
                .statusCode(400).body("offset", equalTo(11));
        Api.as(admin).queryParam("q", "tag==").get("/api/v1/devices/filter-check").then()
                .statusCode(200).body("valid", equalTo(false)).body("problem.offset", equalTo(5));
        Api.as(admin).queryParam("q", "installed.nosuchmodel==1.0.0").get("/api/v1/devices/filter-check").then()
                .statusCode(200).body("valid", equalTo(false)).body("problem.offset", equalTo(10));
        Api.viewer().queryParam("qq", "x").get("/api/v1/devices/filter-check").then().statusCode(400)
                .body("code", equalTo("unknown-query-parameter"));
        io.restassured.RestAssured.given().get("/api/v1/devices/filter-check").then().statusCode(401);
    }
}
