package dev.modelyard.server.model;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class VersionApiTest {

    private static final Map<String, Object> SIGNATURE = Map.of(
            "inputs", List.of(Map.of("name", "audio", "dtype", "float32", "shape", List.of("batch", 16000))),
            "outputs", List.of(Map.of("name", "logits", "dtype", "float32", "shape", List.of("batch", 12))));

    @Test
    void createsAVersionWithDescriptiveFields() {
        String m = Api.createModel("kws");
        publisher().contentType(ContentType.JSON)
                .body(Map.of("version", "1.2.0-rc.1", "changelog", "first cut", "metrics", Map.of("accuracy", 0.931),
                        "lineage", Map.of("trainingRun", "run-42"), "ioSignature", SIGNATURE))
                .post("/api/v1/models/{m}/versions", m)
                .then().statusCode(201)
                .header("Location", containsString("/versions/1.2.0-rc.1"))
                .body("status", equalTo("draft"))
                .body("metrics.accuracy", equalTo(0.931f))
                .body("ioSignature.inputs[0].shape[1]", equalTo(16000))
                .body("artifactCount", equalTo(0));
    }

    @Test
    void badVersionsAndSignaturesAre400() {
        String m = Api.createModel("badver");
        for (String v : List.of("1.0", "v1.0.0", "01.2.3", "latest")) {
            publisher().contentType(ContentType.JSON).body(Map.of("version", v))
                    .post("/api/v1/models/{m}/versions", m)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString("version"));
        }
        publisher().contentType(ContentType.JSON)
                .body(Map.of("version", "1.0.0", "ioSignature", Map.of("inputs", List.of(Map.of("name", "x", "dtype", "float99", "shape", List.of(1))),
                        "outputs", List.of(Map.of("name", "y", "dtype", "float32", "shape", List.of(1))))))
                .post("/api/v1/models/{m}/versions", m)
                .then().statusCode(400).body("detail", containsString("dtype"));
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0", "metrics", Map.of("acc", "high")))
                .post("/api/v1/models/{m}/versions", m).then().statusCode(400);
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .post("/api/v1/models/no-such-model/versions").then().statusCode(404);
    }

    @Test
    void duplicateVersionIsAConflictEvenWithOtherBuildMetadata() {
        String m = Api.createModel("dupver");
        Api.createVersion(m, "1.0.0+build.1");
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0+build.1"))
                .post("/api/v1/models/{m}/versions", m).then().statusCode(409);
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0+build.2"))
                .post("/api/v1/models/{m}/versions", m).then().statusCode(409)
                .body("detail", containsString("build metadata"));
    }

    @Test
    void publishRulesAndImmutability() {
        String m = Api.createModel("pub");
        Api.createVersion(m, "1.0.0");
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m)
                .then().statusCode(409).body("detail", containsString("no artifacts"));
        Api.upload(m, "1.0.0", "model.onnx", Api.onnxModel(999), null).then().statusCode(201);
        publisher().contentType(ContentType.JSON).body("{\"changelog\":\"edited while draft\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200)
                .body("changelog", equalTo("edited while draft"));
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m)
                .then().statusCode(200)
                .body("status", equalTo("published"))
                .body("publishedAt", notNullValue());
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m)
                .then().statusCode(409).body("detail", containsString("already published"));
        publisher().contentType(ContentType.JSON).body("{\"changelog\":\"sneaky\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m)
                .then().statusCode(409).body("detail", containsString("immutable"));
        Api.upload(m, "1.0.0", "other.onnx", Api.onnxModel(1), null)
                .then().statusCode(409).body("detail", containsString("cannot change"));
        Api.upload(m, "1.0.0", "model.onnx", Api.onnxModel(1), null).then().statusCode(409);
        publisher().delete("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx", m).then().statusCode(409);
        publisher().delete("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(409);
    }

    @Test
    void statusTransitions() {
        String m = Api.modelWithArtifact("status", "1.0.0", Api.onnxModel(1));
        publisher().contentType(ContentType.JSON).body("{\"status\":\"deprecated\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(409)
                .body("detail", containsString("draft"));
        publisher().contentType(ContentType.JSON).body("{\"status\":\"published\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(409)
                .body("detail", containsString("publish"));
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
        publisher().contentType(ContentType.JSON).body("{\"status\":\"deprecated\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200).body("status", equalTo("deprecated"));
        publisher().contentType(ContentType.JSON).body("{\"status\":\"published\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200).body("status", equalTo("published"));
        publisher().contentType(ContentType.JSON).body("{\"status\":\"revoked\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200).body("status", equalTo("revoked"));
        publisher().contentType(ContentType.JSON).body("{\"status\":\"published\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(409);
        publisher().contentType(ContentType.JSON).body("{\"status\":\"gone\"}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(400);
    }

    @Test
    void listIsNewestFirstAndFiltersByStatus() {
        String m = Api.createModel("order");
        for (String v : List.of("1.0.0", "1.10.0", "1.2.0", "2.0.0-beta.1")) {
            Api.createVersion(m, v);
        }
        Api.upload(m, "1.2.0", "m.onnx", Api.onnxModel(1), null).then().statusCode(201);
        publisher().post("/api/v1/models/{m}/versions/1.2.0/publish", m).then().statusCode(200);
        viewer().get("/api/v1/models/{m}/versions", m).then().statusCode(200)
                .body("items.version", contains("2.0.0-beta.1", "1.10.0", "1.2.0", "1.0.0"));
        viewer().queryParam("status", "published").get("/api/v1/models/{m}/versions", m).then().statusCode(200)
                .body("items.version", contains("1.2.0"));
        viewer().queryParam("status", "nope").get("/api/v1/models/{m}/versions", m).then().statusCode(400);
    }

    @Test
    void aliasesAndLatest() {
        String m = Api.createModel("alias");
        for (String v : List.of("1.0.0", "1.1.0", "2.0.0-rc.1")) {
            Api.createVersion(m, v);
            Api.upload(m, v, "m.onnx", Api.onnxModel(v.length()), null).then().statusCode(201);
            publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, v).then().statusCode(200);
        }
        Api.createVersion(m, "3.0.0");
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .put("/api/v1/models/{m}/aliases/production", m)
                .then().statusCode(200).body("version", equalTo("1.0.0"));
        viewer().get("/api/v1/models/{m}/versions/production", m).then().statusCode(200).body("version", equalTo("1.0.0"));
        viewer().get("/api/v1/models/{m}/versions/latest", m).then().statusCode(200).body("version", equalTo("1.1.0"));
        viewer().get("/api/v1/models/{m}", m).then().body("aliases.production", equalTo("1.0.0"))
                .body("latestVersion", equalTo("1.1.0"));
        // Moving an alias.
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.1.0"))
                .put("/api/v1/models/{m}/aliases/production", m).then().statusCode(200);
        viewer().get("/api/v1/models/{m}/aliases", m).then().statusCode(200)
                .body("", hasSize(1)).body("[0].version", equalTo("1.1.0"));
        // Rules.
        publisher().contentType(ContentType.JSON).body(Map.of("version", "3.0.0"))
                .put("/api/v1/models/{m}/aliases/canary", m).then().statusCode(409).body("detail", containsString("draft"));
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .put("/api/v1/models/{m}/aliases/latest", m).then().statusCode(400);
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0"))
                .put("/api/v1/models/{m}/aliases/1.0.0", m).then().statusCode(400);
        publisher().contentType(ContentType.JSON).body(Map.of("version", "9.9.9"))
                .put("/api/v1/models/{m}/aliases/canary", m).then().statusCode(404);
        viewer().get("/api/v1/models/{m}/versions/nonexistent-alias", m).then().statusCode(404);
        // Revoking the target drops the alias.
        publisher().contentType(ContentType.JSON).body("{\"status\":\"revoked\"}")
                .patch("/api/v1/models/{m}/versions/1.1.0", m).then().statusCode(200);
        viewer().get("/api/v1/models/{m}/versions/production", m).then().statusCode(404);
        viewer().get("/api/v1/models/{m}/versions/latest", m).then().statusCode(200).body("version", equalTo("1.0.0"));
        publisher().delete("/api/v1/models/{m}/aliases/production", m).then().statusCode(404);
    }

    @Test
    void draftsCanBeDeleted() {
        String m = Api.modelWithArtifact("deldraft", "0.0.1", Api.onnxModel(7));
        publisher().delete("/api/v1/models/{m}/versions/0.0.1", m).then().statusCode(204);
        viewer().get("/api/v1/models/{m}/versions/0.0.1", m).then().statusCode(404);
    }
}
