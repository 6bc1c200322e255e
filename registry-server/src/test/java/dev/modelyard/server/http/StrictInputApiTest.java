package dev.modelyard.server.http;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typos in management API requests are refused with the unknown name and the accepted ones, and nothing is stored. */
@QuarkusTest
class StrictInputApiTest {

    private static final String MERGE_PATCH = "application/merge-patch+json";

    @Inject
    AgroalDataSource db;

    private static ValidatableResponse unknownField(ValidatableResponse r, String field) {
        return r.statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("unknown-field"))
                .body("field", equalTo(field))
                .body("parameter", nullValue())
                .body("detail", containsString("unknown field '" + field + "'"));
    }

    private static ValidatableResponse unknownParameter(ValidatableResponse r, String parameter) {
        return r.statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("unknown-query-parameter"))
                .body("parameter", equalTo(parameter))
                .body("field", nullValue())
                .body("detail", containsString("unknown query parameter '" + parameter + "'"));
    }

    @Test
    void aMisspelledModelFieldIsRefusedAndTheModelIsNotCreated() {
        String name = Api.uniqueName("typo");
        unknownField(publisher().contentType(ContentType.JSON)
                .body(Map.of("name", name, "lables", Map.of("team", "vision")))
                .post("/api/v1/models").then(), "lables")
                .body("accepted", contains("description", "framework", "labels", "name", "task"))
                .body("detail", containsString("did you mean 'labels'?"))
                .body("detail", containsString("accepted: description, framework, labels, name, task"));
        viewer().get("/api/v1/models/{m}", name).then().statusCode(404);
    }

    @Test
    void aMisspelledVersionFieldIsNamedInsteadOfAnEmptyVersion() {
        String m = Api.createModel("typo");
        unknownField(publisher().contentType(ContentType.JSON).body(Map.of("verison", "1.0.0"))
                .post("/api/v1/models/{m}/versions", m).then(), "verison")
                .body("detail", containsString("did you mean 'version'?"))
                .body("accepted", hasItems("version", "changelog", "selfTest"));
        viewer().get("/api/v1/models/{m}/versions", m).then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void nestedUnknownFieldsAreNamedWithTheirPath() {
        String m = Api.createModel("typo");
        Map<String, Object> signature = Map.of("inputs", List.of(Map.of("name", "x", "dtype", "float32", "shpae", List.of(1))));
        unknownField(publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0", "ioSignature", signature))
                .post("/api/v1/models/{m}/versions", m).then(), "ioSignature.inputs[0].shpae")
                .body("accepted", contains("dtype", "name", "shape"))
                .body("detail", containsString("did you mean 'ioSignature.inputs[0].shape'?"));

        String selfTest = "{\"version\":\"1.0.0\",\"selfTest\":{\"tolerance\":0.1,\"cases\":[{"
                + "\"inptus\":{\"x\":{\"dtype\":\"float32\",\"shape\":[1],\"data\":[1]}},"
                + "\"outputs\":{\"y\":{\"dtype\":\"float32\",\"shape\":[1],\"data\":[1]}}}]}}";
        unknownField(publisher().contentType(ContentType.JSON).body(selfTest)
                .post("/api/v1/models/{m}/versions", m).then(), "selfTest.cases[0].inptus")
                .body("accepted", contains("inputs", "name", "outputs"));
        viewer().get("/api/v1/models/{m}/versions", m).then().body("total", equalTo(0));

        Map<String, Object> profile = Map.of("name", Api.uniqueName("typo"), "steps", List.of(Map.of("converter", "ort-optimize")),
                "target", Map.of("format", "onnx", "arhc", "x86_64"));
        unknownField(admin().contentType(ContentType.JSON).body(profile).post("/api/v1/conversion/profiles").then(), "target.arhc")
                .body("accepted", hasItems("arch", "format", "precision"))
                .body("detail", containsString("did you mean 'target.arch'?"));
        viewer().get("/api/v1/conversion/profiles/{n}", profile.get("name")).then().statusCode(404);
    }

    @Test
    void mergePatchesNameTheirUnknownFieldsAndKeepLabelsFreeForm() {
        String m = Api.createModel("typo");
        unknownField(publisher().contentType(MERGE_PATCH).body(Map.of("descripton", "finds pallets"))
                .patch("/api/v1/models/{m}", m).then(), "descripton")
                .body("accepted", contains("description", "framework", "labels", "task"))
                .body("detail", containsString("did you mean 'description'?"));
        // Labels are the user's own keys: any key is a label, not an unknown field.
        publisher().contentType(MERGE_PATCH).body(Map.of("labels", Map.of("anything-goes", "yes")))
                .patch("/api/v1/models/{m}", m).then().statusCode(200).body("labels.anything-goes", equalTo("yes"));
        viewer().get("/api/v1/models/{m}", m).then().body("description", nullValue());

        Api.createVersion(m, "1.0.0");
        unknownField(publisher().contentType(MERGE_PATCH).body(Map.of("chagnelog", "x", "changelog", "y"))
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then(), "chagnelog")
                .body("accepted", contains("changelog", "ioSignature", "lineage", "metrics", "selfTest", "status"));
        Map<String, Object> signature = Map.of("outputs", List.of(Map.of("name", "y", "dtyp", "float32", "shape", List.of(1))));
        unknownField(publisher().contentType(MERGE_PATCH).body(Map.of("ioSignature", signature))
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then(), "ioSignature.outputs[0].dtyp")
                .body("accepted", contains("dtype", "name", "shape"));
        viewer().get("/api/v1/models/{m}/versions/1.0.0", m).then().body("changelog", nullValue()).body("ioSignature", nullValue());

        String device = Api.uniqueName("typo");
        publisher().contentType(ContentType.JSON).body(Map.of("controllerId", device)).post("/api/v1/devices").then().statusCode(201);
        unknownField(publisher().contentType(MERGE_PATCH).body(Map.of("nmae", "left door"))
                .patch("/api/v1/devices/{d}", device).then(), "nmae")
                .body("accepted", contains("description", "name", "tags"));
    }

    @Test
    void aMisspelledUploadParameterIsRefusedAndNothingIsStored() throws Exception {
        String m = Api.createModel("typo");
        Api.createVersion(m, "1.0.0");
        byte[] bytes = Api.onnxModel(4711);
        String sha256 = Api.sha256(bytes);
        unknownParameter(Api.upload(m, "1.0.0", "x.onnx", bytes, "arhc=aarch64").then(), "arhc")
                .body("accepted", hasItems("accelerator", "arch", "format", "minMemoryMb", "os", "precision", "runtime",
                        "runtimeVersion", "sha256"))
                .body("detail", containsString("did you mean 'arch'?"));
        viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts", m).then().body("total", equalTo(0));
        assertEquals(0, count("SELECT count(*) FROM blob WHERE sha256 = '" + sha256 + "'"));
        assertFalse(Files.exists(TestServer.dataDir().resolve("blobs/sha256").resolve(sha256.substring(0, 2)).resolve(sha256)));

        // Spelled right, the same upload goes through with its architecture.
        Api.upload(m, "1.0.0", "x.onnx", bytes, "arch=aarch64").then().statusCode(201).body("target.arch", equalTo("aarch64"));
    }

    @Test
    void aMisspelledFieldOfABrowserUploadIsRefusedAndNothingIsStored() throws Exception {
        String m = Api.createModel("typo");
        Api.createVersion(m, "1.0.0");
        byte[] bytes = Api.onnxModel(4712);
        String sha256 = Api.sha256(bytes);
        unknownField(publisher().multiPart("file", "x.onnx", bytes, "application/octet-stream").multiPart("arhc", "aarch64")
                .post("/api/v1/models/{m}/versions/1.0.0/artifacts", m).then(), "arhc")
                .body("accepted", hasItems("arch", "file", "filename", "sha256"))
                .body("detail", containsString("did you mean 'arch'?"));
        viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts", m).then().body("total", equalTo(0));
        assertEquals(0, count("SELECT count(*) FROM blob WHERE sha256 = '" + sha256 + "'"));

        publisher().multiPart("file", "x.onnx", bytes, "application/octet-stream").multiPart("arch", "aarch64")
                .post("/api/v1/models/{m}/versions/1.0.0/artifacts", m).then().statusCode(201).body("target.arch", equalTo("aarch64"));
    }

    @Test
    void unknownQueryParametersOfListsAreRefused() {
        unknownParameter(viewer().queryParam("lable", "team:vision").get("/api/v1/models").then(), "lable")
                .body("accepted", contains("framework", "label", "page", "q", "size", "task"))
                .body("detail", containsString("did you mean 'label'?"));
        unknownParameter(viewer().queryParam("colour", "blue").get("/api/v1/devices").then(), "colour")
                .body("detail", not(containsString("did you mean")));
        viewer().queryParam("label", "team:vision").queryParam("size", 5).get("/api/v1/models").then().statusCode(200);
        // An operation without query parameters takes none.
        unknownParameter(admin().queryParam("verbose", "1").get("/api/v1/tokens").then(), "verbose")
                .body("detail", containsString("this operation takes none"));
    }

    @Test
    void authenticationComesFirstAndQuarkusEndpointsAreNotChecked() {
        given().queryParam("arhc", "x").get("/api/v1/models").then().statusCode(401);
        given().queryParam("anything", "x").get("/q/health/live").then().statusCode(200);
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
