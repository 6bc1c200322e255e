package dev.modelyard.server.http;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cases a security probe found answered with a 500, an empty body or a bare "HTTP 400": each is
 * now a 4xx problem with a code that names what to fix, and nothing reaches the database.
 */
@QuarkusTest
class MalformedInputApiTest {

    private static ValidatableResponse problem(ValidatableResponse r, int status, String code) {
        return r.statusCode(status).contentType("application/problem+json").body("code", equalTo(code))
                .body("status", equalTo(status));
    }

    @Test
    void aNulInAPathSegmentIsRefusedBeforeTheDatabase() {
        problem(viewer().urlEncodingEnabled(false).get("/api/v1/models/%00").then(), 400, "invalid-character")
                .body("detail", containsString("U+0000"));
        problem(viewer().urlEncodingEnabled(false).get("/api/v1/devices/dev-a%01").then(), 400, "invalid-character");
    }

    @Test
    void aNulInAQueryValueIsRefusedNamingTheParameter() {
        problem(viewer().urlEncodingEnabled(false).get("/api/v1/models?q=a%00").then(), 400, "invalid-character")
                .body("parameter", equalTo("q"));
    }

    @Test
    void aNulInAJsonStringIsRefusedNamingTheFieldAndNothingIsStored() {
        String device = Api.uniqueName("nul-dev");
        admin().contentType(ContentType.JSON).body(Map.of("controllerId", device)).post("/api/v1/devices").then().statusCode(201);
        problem(publisher().contentType("application/merge-patch+json").body("{\"name\":\"a\\u0000b\"}")
                .patch("/api/v1/devices/{d}", device).then(), 400, "invalid-character")
                .body("field", equalTo("name"));
        viewer().get("/api/v1/devices/{d}", device).then().statusCode(200).body("name", nullValue());

        String model = Api.uniqueName("nul");
        problem(publisher().contentType(ContentType.JSON)
                .body("{\"name\":\"" + model + "\",\"labels\":{\"team\":\"vi\\u0007sion\"}}")
                .post("/api/v1/models").then(), 400, "invalid-character")
                .body("field", equalTo("labels.team"));
        problem(publisher().contentType(ContentType.JSON)
                .body("{\"name\":\"" + model + "\",\"labels\":{\"te\\u0000am\":\"x\"}}")
                .post("/api/v1/models").then(), 400, "invalid-character");
        problem(publisher().contentType(ContentType.JSON).body("{\"name\":\"" + model + "\",\"description\":\"\\ud800\"}")
                .post("/api/v1/models").then(), 400, "invalid-character").body("field", equalTo("description"));
        viewer().get("/api/v1/models/{m}", model).then().statusCode(404).body("code", equalTo("model-not-found"));
        // tab, line feed and carriage return are text
        publisher().contentType(ContentType.JSON).body("{\"name\":\"" + model + "\",\"description\":\"a\\tb\\r\\nc\"}")
                .post("/api/v1/models").then().statusCode(201).body("description", equalTo("a\tb\r\nc"));
    }

    @Test
    void aDeviceWithANulInItsControllerIdGetsA4xxFromTheDdiApi() {
        given().urlEncodingEnabled(false).header("Authorization", "GatewayToken " + TestServer.GATEWAY_TOKEN)
                .get("/default/controller/v1/dev-a%00").then().statusCode(400).body(emptyString());
    }

    @Test
    void pagesBeyondTheLastArePlainBadRequestsOnEveryList() {
        for (String list : List.of("/api/v1/models", "/api/v1/devices", "/api/v1/actions", "/api/v1/conversion/jobs")) {
            problem(viewer().get(list + "?page=107374183&size=20").then(), 400, "invalid-parameter")
                    .body("parameter", equalTo("page")).body("detail", containsString("between 0 and"));
        }
        viewer().get("/api/v1/models?page=" + Page.MAX_PAGE + "&size=" + Page.MAX_SIZE).then().statusCode(200);
        problem(viewer().get("/api/v1/models?page=99999999999").then(), 400, "invalid-parameter");
        problem(viewer().get("/api/v1/models?size=abc").then(), 400, "invalid-parameter")
                .body("parameter", equalTo("size")).body("detail", containsString("is not a whole number"));
        problem(viewer().get("/api/v1/actions/abc").then(), 404, "not-found").body("parameter", equalTo("id"))
                .body("detail", containsString("'abc' is not a whole number"));
    }

    @Test
    void aJsonTypeMismatchNamesTheFieldAndTheExpectedType() {
        problem(publisher().contentType(ContentType.JSON).body("{\"name\":[\"x\"]}").post("/api/v1/models").then(),
                400, "invalid-field-type")
                .body("field", equalTo("name"))
                .body("detail", containsString("expected a string, got an array"));
        String m = Api.createModel("types");
        problem(publisher().contentType(ContentType.JSON).body("{\"version\":\"1.0.0\",\"ioSignature\":{\"inputs\":[{\"name\":\"x\","
                + "\"dtype\":\"float32\",\"shape\":\"1\"}]}}").post("/api/v1/models/{m}/versions", m).then(), 400, "invalid-field-type")
                .body("field", equalTo("ioSignature.inputs[0].shape"))
                .body("detail", containsString("expected an array"));
    }

    @Test
    void malformedJsonNamesLineAndColumnAndAnEmptyBodyIsNamedToo() {
        problem(publisher().contentType(ContentType.JSON).body("{\n  \"name\": \"x\",\n  oops\n}").post("/api/v1/models").then(),
                400, "invalid-json")
                .body("detail", containsString("line 3, column"));
        problem(publisher().contentType(ContentType.JSON).body("").post("/api/v1/models").then(), 400, "missing-body");
        String m = Api.createModel("deep");
        problem(publisher().contentType("application/merge-patch+json").body("{\"labels\":" + "[".repeat(200) + "]".repeat(200) + "}")
                .patch("/api/v1/models/{m}", m).then(), 400, "invalid-json").body("detail", containsString("nesting"));
    }

    /** What no HTTP client library sends, sent as raw bytes. */
    private static JsonNode raw(String target, int status, String code) throws IOException {
        OpenApiFuzzTest.Answer a = OpenApiFuzzTest.exchange("GET", target, Map.of("Host", "localhost",
                "Authorization", "Bearer " + TestServer.ADMIN_TOKEN, "Connection", "close"), new byte[0]);
        assertEquals(status, a.status(), a.text());
        assertEquals(Problem.MEDIA_TYPE, a.headers().get("content-type"));
        JsonNode problem = new ObjectMapper().readTree(a.body());
        assertEquals(code, problem.path("code").asText(), a.text());
        return problem;
    }

    @Test
    void badPercentEncodingAndUnencodedCharactersAreProblems() throws IOException {
        assertTrue(raw("/api/v1/models/%zz", 400, "invalid-encoding").path("detail").asText().contains("'%zz'"));
        raw("/api/v1/models/%", 400, "invalid-encoding");
        raw("/api/v1/models?q=%zz", 400, "invalid-encoding");
        raw("/api/v1/models/a|b", 400, "invalid-encoding");
        raw("/api/v1/models/a%22b%7Cc", 404, "model-not-found");
    }

    @Test
    void errorsOfTheHttpLayerAreProblemsToo() {
        problem(viewer().urlEncodingEnabled(false).get("/api/v1/models/%C3%28").then(), 400, "invalid-encoding");
        problem(viewer().urlEncodingEnabled(false).get("/api/v1/models?q=%C3%28").then(), 400, "invalid-encoding");
        problem(viewer().get("/api/v1/models/" + "x".repeat(5000)).then(), 414, "uri-too-long");
        problem(viewer().header("X-Padding", "p".repeat(30_000)).get("/api/v1/models").then(), 431, "headers-too-large");
        problem(viewer().get("/api/v1/no-such-thing").then(), 404, "not-found");
        problem(viewer().delete("/api/v1/trust/status").then(), 405, "method-not-allowed");
        problem(viewer().accept("application/xml").get("/api/v1/models").then(), 406, "not-acceptable");
        problem(publisher().contentType("text/plain").body("x").post("/api/v1/models").then(), 415, "unsupported-media-type");
        problem(given().get("/api/v1/models").then(), 401, "unauthorized");
    }

    @Test
    void aBadEnumValueListsTheAcceptedOnes() {
        String m = Api.createModel("enum");
        Api.createVersion(m, "1.0.0");
        problem(viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts?origin=copied", m).then(), 400, "invalid-parameter")
                .body("parameter", equalTo("origin"))
                .body("accepted", hasItems("converted", "uploaded"));
        problem(viewer().get("/api/v1/models/{m}/versions?status=bogus", m).then(), 400, "invalid-parameter")
                .body("parameter", equalTo("status"))
                .body("accepted", hasItems("draft", "published", "deprecated", "revoked"));
        problem(publisher().contentType("application/merge-patch+json").body(Map.of("status", "bogus"))
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then(), 400, "invalid-field")
                .body("field", equalTo("status"))
                .body("accepted", hasItems("draft", "published"));
    }
}
