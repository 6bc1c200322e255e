package dev.modelyard.server.delta;

import static dev.modelyard.server.delta.DeltaFixtures.body;
import static dev.modelyard.server.delta.DeltaFixtures.model;
import static dev.modelyard.server.delta.DeltaFixtures.publishVersion;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.testing.TfliteMlp;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.quarkus.test.junit.QuarkusTest;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The deltas endpoints: list, read, request from a base, retry; their errors, permissions and tenant isolation. */
@QuarkusTest
class DeltaApiTest {

    private static final String DELTAS = "/api/v1/models/{m}/versions/{v}/artifacts/{a}/deltas";

    @Inject
    AgroalDataSource db;

    private static RequestSpecification json(RequestSpecification as) {
        return as.contentType(ContentType.JSON);
    }

    @Test
    void requestListAndReadADeltaWithItsLineage() {
        String m = Api.createModel("delta-api");
        byte[] v1 = model(801, 0.5f);
        byte[] v2 = model(801, 0.6f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", v2);

        var created = json(Api.publisher()).body(Map.of("baseVersion", "1.0.0")).post(DELTAS, m, "2.0.0", "model.onnx")
                .then().statusCode(202).extract();
        JsonPath queued = created.jsonPath();
        String id = queued.getString("id");
        // Location is an absolute path like every other Location of the API, and names the delta.
        String location = created.header("Location");
        assertEquals("/api/v1/models/" + m + "/versions/2.0.0/artifacts/" + queued.getString("targetArtifactId") + "/deltas/" + id,
                location.replaceFirst("^https?://[^/]+", ""));
        Api.publisher().get(location).then().statusCode(200).body("id", equalTo(id));
        assertEquals(Api.sha256(v1), queued.getString("baseSha256"));
        assertEquals(m, queued.getString("base.model"));
        assertEquals("1.0.0", queued.getString("base.version"));
        assertEquals("model.onnx", queued.getString("base.filename"));
        assertEquals("api", queued.getString("requestedBy"));
        assertEquals(v2.length, queued.getLong("targetSize"));
        assertEquals(Api.sha256(v2), queued.getString("targetSha256"));

        // The same pair again, by version or by digest: the same delta, 200.
        json(Api.publisher()).body(Map.of("baseVersion", "1.0.0")).post(DELTAS, m, "2.0.0", "model.onnx")
                .then().statusCode(200).body("id", equalTo(id));
        json(Api.publisher()).body(Map.of("baseSha256", Api.sha256(v1).toUpperCase())).post(DELTAS, m, "2.0.0", "model.onnx")
                .then().statusCode(200).body("id", equalTo(id));

        JsonPath list = Api.viewer().get(DELTAS, m, "2.0.0", "model.onnx").then().statusCode(200).extract().jsonPath();
        assertEquals(2, list.getInt("total"), "the compressed full file from publication, and the requested delta");
        assertEquals("publication", list.getString("items[0].requestedBy"));
        assertEquals(null, list.getString("items[0].baseSha256"));
        assertEquals(id, list.getString("items[1].id"));
        Api.viewer().get(DELTAS + "?status=pending&status=building", m, "2.0.0", "model.onnx").then().statusCode(200);
        Api.viewer().get(DELTAS + "?status=nonsense", m, "2.0.0", "model.onnx").then().statusCode(400)
                .body("code", equalTo("invalid-parameter"));
        Api.viewer().get(DELTAS + "?size=1&page=1", m, "2.0.0", "model.onnx").then().statusCode(200)
                .body("items[0].id", equalTo(id)).body("total", equalTo(2));

        JsonPath one = Api.viewer().get(DELTAS + "/{id}", m, "2.0.0", "model.onnx", id).then().statusCode(200).extract().jsonPath();
        assertEquals(id, one.getString("id"));
        assertNotNull(one.getString("status"));
        assertNotNull(one.getString("createdAt"));
        // By the artifact's id as well as its file name.
        Api.viewer().get(DELTAS + "/{id}", m, "2.0.0", DeltaFixtures.artifactId(m, "2.0.0"), id).then().statusCode(200);
        // Another artifact's path does not reach it.
        Api.viewer().get(DELTAS + "/{id}", m, "1.0.0", "model.onnx", id).then().statusCode(404).body("code", equalTo("delta-not-found"));
        Api.viewer().get(DELTAS + "/{id}", m, "2.0.0", "model.onnx", "00000000-0000-0000-0000-000000000001").then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("delta-not-found"));
        Api.viewer().get(DELTAS + "/{id}", m, "2.0.0", "model.onnx", "not-a-uuid").then().statusCode(404)
                .body("code", equalTo("delta-not-found"));
    }

    @Test
    void badBasesAndBadTargetsAreRefusedWithTheirCodes() {
        String m = Api.createModel("delta-bad");
        byte[] v1 = model(901, 0.5f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", model(901, 0.7f));
        String tflite = "format=tflite";
        Api.createVersion(m, "3.0.0");
        Api.upload(m, "3.0.0", "model.onnx", model(901, 0.8f), null).then().statusCode(201);
        Api.upload(m, "3.0.0", "model.tflite", TfliteMlp.seeded(902, 64, 256, 16).float32(), tflite).then().statusCode(201);

        refused(m, "2.0.0", body(), 400, "bad-request");
        refused(m, "2.0.0", body("baseVersion", "1.0.0", "baseSha256", Api.sha256(v1)), 400, "bad-request");
        refused(m, "2.0.0", body("baseVersion", "1.0.0", "extra", 1), 400, "unknown-field");
        refused(m, "2.0.0", body("baseSha256", "xyz"), 400, "invalid-field");
        refused(m, "2.0.0", body("baseVersion", "9.9.9"), 422, "delta-base-invalid");
        refused(m, "2.0.0", body("baseVersion", "no-such-alias"), 422, "delta-base-invalid");
        refused(m, "2.0.0", body("baseSha256", Api.sha256(new byte[] {1})), 422, "delta-base-invalid");
        refused(m, "2.0.0", body("baseVersion", "2.0.0"), 422, "delta-base-invalid");
        // A draft gets no deltas.
        refused(m, "3.0.0", body("baseVersion", "1.0.0"), 409, "version-not-deployable");
        // Bytes of another model are no base, whoever can read them.
        String other = Api.createModel("delta-other");
        byte[] foreign = model(903, 0.5f);
        publishVersion(other, "1.0.0", foreign);
        refused(m, "2.0.0", body("baseSha256", Api.sha256(foreign)), 422, "delta-base-invalid");
        // A version without a file of the target's format is no base.
        publisherPublish(m, "3.0.0");
        json(Api.publisher()).body(Map.of("baseVersion", "1.0.0")).post(DELTAS, m, "3.0.0", "model.tflite").then().statusCode(422)
                .body("code", equalTo("delta-base-invalid")).body("detail", containsString("no artifact of format tflite"));
        // Too small to be worth a delta.
        String small = Api.createModel("delta-tiny");
        Api.createVersion(small, "1.0.0");
        Api.upload(small, "1.0.0", "model.onnx", Api.onnxModel(904), null).then().statusCode(201);
        publisherPublish(small, "1.0.0");
        Api.createVersion(small, "2.0.0");
        Api.upload(small, "2.0.0", "model.onnx", Api.onnxModel(905), null).then().statusCode(201);
        publisherPublish(small, "2.0.0");
        refused(small, "2.0.0", body("baseVersion", "1.0.0"), 422, "delta-target-too-small");
        // Unknown paths.
        json(Api.publisher()).body(Map.of("baseVersion", "1.0.0")).post(DELTAS, m, "2.0.0", "nope.onnx").then().statusCode(404)
                .body("code", equalTo("artifact-not-found"));
        Api.viewer().get(DELTAS, "no-such-model", "1.0.0", "model.onnx").then().statusCode(404).body("code", equalTo("model-not-found"));
    }

    private static void publisherPublish(String m, String v) {
        Api.publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
    }

    private static void refused(String m, String v, Map<String, Object> b, int status, String code) {
        json(Api.publisher()).body(b).post(DELTAS, m, v, "model.onnx").then().statusCode(status)
                .contentType("application/problem+json").body("code", equalTo(code));
    }

    @Test
    void readingNeedsArtifactsReadAndRequestingArtifactsCreate() {
        String m = Api.createModel("delta-perm");
        publishVersion(m, "1.0.0", model(1001, 0.5f));
        publishVersion(m, "2.0.0", model(1001, 0.9f));
        Api.viewer().get(DELTAS, m, "2.0.0", "model.onnx").then().statusCode(200);
        json(Api.viewer()).body(Map.of("baseVersion", "1.0.0")).post(DELTAS, m, "2.0.0", "model.onnx").then().statusCode(403);
        io.restassured.RestAssured.given().get(DELTAS, m, "2.0.0", "model.onnx").then().statusCode(401);
        String id = Api.viewer().get(DELTAS, m, "2.0.0", "model.onnx").then().extract().path("items[0].id");
        Api.viewer().post(DELTAS + "/{id}/retry", m, "2.0.0", "model.onnx", id).then().statusCode(403);
    }

    @Test
    void retryingIsForFailedOrUselessDeltasOnly() throws Exception {
        String m = Api.createModel("delta-retry");
        byte[] v1 = model(1101, 0.5f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", model(1101, 0.3f));
        String a2 = DeltaFixtures.artifactId(m, "2.0.0");
        String id = json(Api.publisher()).body(Map.of("baseVersion", "1.0.0")).post(DELTAS, m, "2.0.0", "model.onnx")
                .then().statusCode(202).extract().path("id");
        DeltaFixtures.Row built = DeltaFixtures.settled(db, a2, Api.sha256(v1));
        if ("READY".equals(built.status())) {
            Api.publisher().post(DELTAS + "/{id}/retry", m, "2.0.0", "model.onnx", id).then().statusCode(409)
                    .body("code", equalTo("invalid-status-transition"));
        }
        // Made to look failed, as after its attempts: a retry queues it afresh.
        DeltaFixtures.exec(db, "UPDATE artifact_delta SET status = 'FAILED', blob_sha256 = NULL, size = NULL, method = NULL,"
                + " attempts = 3, error = 'gave up' WHERE id = ?::uuid", id);
        JsonPath again = Api.publisher().post(DELTAS + "/{id}/retry", m, "2.0.0", "model.onnx", id).then().statusCode(202)
                .extract().jsonPath();
        assertEquals(0, again.getInt("attempts"));
        assertEquals("pending", again.getString("status"));
        DeltaFixtures.Row rebuilt = DeltaFixtures.settled(db, a2, Api.sha256(v1));
        assertEquals(1, rebuilt.attempts(), rebuilt.toString());
        assertEquals("READY", rebuilt.status(), rebuilt.toString());
    }

    @Test
    void anotherTenantSeesNothingAndCannotNameThisTenantsBytes() {
        String m = Api.createModel("delta-iso");
        byte[] v1 = model(1201, 0.5f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", model(1201, 0.4f));
        String id = Api.viewer().get(DELTAS, m, "2.0.0", "model.onnx").then().extract().path("items[0].id");

        String tenant = Api.uniqueName("delta-team");
        String token = Api.as(TestServer.ADMIN_TOKEN).contentType(ContentType.JSON).body(Map.of("id", tenant, "name", "Team " + tenant))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
        RequestSpecification team = Api.as(token);
        team.get(DELTAS, m, "2.0.0", "model.onnx").then().statusCode(404).body("code", equalTo("model-not-found"));
        Api.as(token).get(DELTAS + "/{id}", m, "2.0.0", "model.onnx", id).then().statusCode(404);

        // The team's own model, same name; the default tenant's digest is no base for it.
        json(Api.as(token)).body(Map.of("name", m, "framework", "onnx")).post("/api/v1/models").then().statusCode(201);
        for (String v : new String[] {"1.0.0", "2.0.0"}) {
            json(Api.as(token)).body(Map.of("version", v)).post("/api/v1/models/{m}/versions", m).then().statusCode(201);
            Api.as(token).contentType("application/octet-stream").body(model(1202, v.equals("1.0.0") ? 0.5f : 0.6f))
                    .put("/api/v1/models/{m}/versions/{v}/artifacts/model.onnx", m, v).then().statusCode(201);
            Api.as(token).post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
        }
        json(Api.as(token)).body(Map.of("baseSha256", Api.sha256(v1))).post(DELTAS, m, "2.0.0", "model.onnx").then().statusCode(422)
                .body("code", equalTo("delta-base-invalid"));
        JsonPath own = Api.as(token).get(DELTAS, m, "2.0.0", "model.onnx").then().statusCode(200).extract().jsonPath();
        assertEquals(1, own.getInt("total"));
        assertTrue(!own.getString("items[0].id").equals(id));
    }
}
