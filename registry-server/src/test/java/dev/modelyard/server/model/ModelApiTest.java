package dev.modelyard.server.model;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@QuarkusTest
class ModelApiTest {

    @Test
    void createsAndReadsAModel() {
        String name = Api.uniqueName("pallet-detector");
        publisher().contentType(ContentType.JSON)
                .body(Map.of("name", name, "description", "finds pallets", "task", "detection", "framework", "pytorch",
                        "labels", Map.of("team", "vision", "site", "berlin")))
                .post("/api/v1/models")
                .then().statusCode(201)
                .header("Location", containsString("/api/v1/models/" + name))
                .body("name", equalTo(name))
                .body("labels.team", equalTo("vision"))
                .body("createdBy", containsString("test-publisher"));

        viewer().get("/api/v1/models/{m}", name)
                .then().statusCode(200)
                .body("description", equalTo("finds pallets"))
                .body("task", equalTo("detection"))
                .body("latestVersion", nullValue());
    }

    @Test
    void duplicateNameIsAConflict() {
        String name = Api.createModel("dup");
        publisher().contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/models")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("status", equalTo(409))
                .body("detail", containsString("already exists"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upper", "-dash", "has space", "slash/name", "", "a234567890123456789012345678901234567890123456789012345678901234"})
    void badNamesAreRejected(String name) {
        publisher().contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/models")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("name"));
    }

    @Test
    void unknownModelIs404() {
        viewer().get("/api/v1/models/no-such-model").then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", containsString("no-such-model"));
    }

    @Test
    void malformedJsonIs400WithoutStackTrace() {
        publisher().contentType(ContentType.JSON).body("{\"name\": ").post("/api/v1/models")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body(not(containsString("at com.")))
                .body(not(containsString("Exception")));
    }

    @Test
    void listFiltersByLabelFrameworkTaskAndPrefixAndPaginates() {
        String prefix = Api.uniqueName("flt");
        for (int i = 0; i < 5; i++) {
            publisher().contentType(ContentType.JSON)
                    .body(Map.of("name", prefix + "-" + i, "framework", i % 2 == 0 ? "onnx" : "tensorflow",
                            "task", "kws", "labels", Map.of("tier", i < 3 ? "small" : "large")))
                    .post("/api/v1/models").then().statusCode(201);
        }
        viewer().queryParam("q", prefix).queryParam("label", "tier:small").queryParam("framework", "onnx")
                .get("/api/v1/models")
                .then().statusCode(200)
                .body("items.name", contains(prefix + "-0", prefix + "-2"))
                .body("total", equalTo(2));
        viewer().queryParam("q", prefix).queryParam("size", 2).queryParam("page", 1).get("/api/v1/models")
                .then().statusCode(200)
                .body("items.name", contains(prefix + "-2", prefix + "-3"))
                .body("total", equalTo(5))
                .body("page", equalTo(1))
                .body("size", equalTo(2));
        viewer().queryParam("q", prefix).queryParam("label", "tier:small").queryParam("label", "tier:large")
                .get("/api/v1/models").then().statusCode(200).body("items", hasSize(0));
        viewer().queryParam("size", 0).get("/api/v1/models").then().statusCode(400);
        viewer().queryParam("label", "nocolon").get("/api/v1/models").then().statusCode(400);
    }

    @Test
    void patchIsAMergePatch() {
        String name = Api.uniqueName("patchme");
        publisher().contentType(ContentType.JSON)
                .body(Map.of("name", name, "description", "old", "labels", Map.of("a", "1", "b", "2")))
                .post("/api/v1/models").then().statusCode(201);
        publisher().contentType("application/merge-patch+json")
                .body("{\"description\":\"new\",\"labels\":{\"a\":null,\"c\":\"3\"}}")
                .patch("/api/v1/models/{m}", name)
                .then().statusCode(200)
                .body("description", equalTo("new"))
                .body("labels", equalTo(Map.of("b", "2", "c", "3")));
        publisher().contentType(ContentType.JSON).body("{\"name\":\"other\"}")
                .patch("/api/v1/models/{m}", name).then().statusCode(400);
        publisher().contentType(ContentType.JSON).body("{\"bogus\":1}")
                .patch("/api/v1/models/{m}", name).then().statusCode(400).body("detail", containsString("bogus"));
    }

    @Test
    void deleteNeedsAdminAndNoReleasedVersions() {
        String released = Api.modelWithArtifact("released", "1.0.0", Api.onnxModel(123));
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", released).then().statusCode(200);
        publisher().delete("/api/v1/models/{m}", released).then().statusCode(403);
        admin().delete("/api/v1/models/{m}", released).then().statusCode(409).body("detail", containsString("released"));

        String drafts = Api.modelWithArtifact("drafts", "0.1.0", Api.onnxModel(456));
        admin().delete("/api/v1/models/{m}", drafts).then().statusCode(204);
        viewer().get("/api/v1/models/{m}", drafts).then().statusCode(404);
    }
}
