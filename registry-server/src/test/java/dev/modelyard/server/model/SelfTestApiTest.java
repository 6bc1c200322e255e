package dev.modelyard.server.model;

import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.modelyard.server.Api;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Self-test vectors: checked when set and at publication, then shipped to devices as signed bytes. */
@QuarkusTest
class SelfTestApiTest {

    /** One case for the test perceptron: input x [1, 4], output y [1, 2]. */
    static final String VALID = """
            {"tolerance": 0.001, "cases": [{"name": "zeros",
              "inputs": {"x": {"dtype": "float32", "shape": [1, 4], "data": [0, 0, 0, 0.5]}},
              "outputs": {"y": {"dtype": "float32", "shape": [1, 2], "data": [0.25, -1.5e-3]}}}]}""";

    private static void setSelfTest(String m, String v, String doc, int status) {
        publisher().contentType(ContentType.JSON).body("{\"selfTest\":" + doc + "}")
                .patch("/api/v1/models/{m}/versions/{v}", m, v).then().statusCode(status);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"cases\": []}|selfTest.tolerance: must be a non-negative number",
            "{\"tolerance\": -1, \"cases\": []}|selfTest.tolerance: must be a non-negative number",
            "{\"tolerance\": 0.1, \"cases\": []}|selfTest.cases: must be an array of 1 to 64 cases",
            "{\"tolerance\": 0.1, \"cases\": [{\"inputs\": {}, \"outputs\": {}}]}|selfTest.cases[0].inputs: must be an object of named tensors",
            "{\"tolerance\": 0.1, \"cases\": [{\"inputs\": {\"x\": {\"dtype\": \"float16\", \"shape\": [1], \"data\": [1]}}, \"outputs\": {\"y\": {\"dtype\": \"float32\", \"shape\": [], \"data\": [1]}}}]}|selfTest.cases[0].inputs.x.dtype: must be one of",
            "{\"tolerance\": 0.1, \"cases\": [{\"inputs\": {\"x\": {\"dtype\": \"float32\", \"shape\": [2, 2], \"data\": [1, 2, 3]}}, \"outputs\": {\"y\": {\"dtype\": \"float32\", \"shape\": [], \"data\": [1]}}}]}|selfTest.cases[0].inputs.x.data: the shape [2,2] needs 4 elements, got 3",
            "{\"tolerance\": 0.1, \"cases\": [{\"inputs\": {\"x\": {\"dtype\": \"int8\", \"shape\": [1], \"data\": [300]}}, \"outputs\": {\"y\": {\"dtype\": \"float32\", \"shape\": [], \"data\": [1]}}}]}|selfTest.cases[0].inputs.x.data[0]: '300' is not a int8",
            "{\"tolerance\": 0.1, \"cases\": [{\"inputs\": {\"x\": {\"dtype\": \"float32\", \"shape\": [1], \"data\": [\"a\"]}}, \"outputs\": {\"y\": {\"dtype\": \"float32\", \"shape\": [], \"data\": [1]}}}]}|selfTest.cases[0].inputs.x.data[0]: '\"a\"' is not a float32",
            "{\"tolerance\": 0.1, \"extra\": 1, \"cases\": []}|unknown field 'selfTest.extra'; accepted: cases, tolerance",
    })
    void malformedDocumentsAre400NamingTheField(String doc, String message) {
        String m = Api.createModel("st");
        Api.createVersion(m, "1.0.0");
        publisher().contentType(ContentType.JSON).body("{\"selfTest\":" + doc + "}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString(message));
        publisher().get("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200).body("selfTest", nullValue());
    }

    @Test
    void hugeDocumentsAre413() {
        String m = Api.createModel("st");
        publisher().contentType(ContentType.JSON)
                .body("{\"version\":\"1.0.0\",\"selfTest\":{\"tolerance\":0,\"cases\":[{\"inputs\":{\"x\":{\"dtype\":\"bool\","
                        + "\"shape\":[4096,4096],\"data\":[]}},\"outputs\":{\"y\":{\"dtype\":\"bool\",\"shape\":[],\"data\":[true]}}}]}}")
                .post("/api/v1/models/{m}/versions", m).then().statusCode(413).body("detail", containsString("elements"));
    }

    @Test
    void publicationChecksTheDocumentAgainstTheModelsSignature() {
        String m = Api.modelWithArtifact("st", "1.0.0", Api.onnxModel(7));
        setSelfTest(m, "1.0.0", VALID.replace("\"x\"", "\"input\""), 200);
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(409)
                .body("detail", containsString("selfTest.cases[0].inputs: the model's input 'x' is missing"));
        setSelfTest(m, "1.0.0", VALID.replace("[1, 4]", "[1, 5]").replace("0.5]", "0.5, 1]"), 200);
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(409)
                .body("detail", containsString("selfTest.cases[0].inputs.x.shape[1]: the model's input has size 4 there, not 5"));
        setSelfTest(m, "1.0.0", VALID.replace("\"outputs\": {\"y\"", "\"outputs\": {\"z\""), 200);
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(409)
                .body("detail", containsString("the model has no output named 'z'"));
        publisher().get("/api/v1/models/{m}/versions/1.0.0", m).then().body("status", equalTo("draft"));

        setSelfTest(m, "1.0.0", VALID, 200);
        String digest = publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200)
                .body("selfTest.tolerance", equalTo(0.001f)).extract().path("selfTestSha256");
        assertEquals(64, digest.length());
        setSelfTest(m, "1.0.0", VALID, 409);
    }

    @Test
    void devicesGetTheDocumentBesideTheArtifactAndTheReleaseMetadataVouchesForIt() throws Exception {
        String m = Api.createModel("st");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "m.onnx", Api.onnxModel(3), "arch=x86_64").then().statusCode(201);
        setSelfTest(m, "1.0.0", VALID, 200);
        String digest = publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200)
                .extract().path("selfTestSha256");

        String id = Api.uniqueName("st-dev");
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        String path = "/DEFAULT/controller/v1/" + id;
        given().header("Authorization", "TargetToken " + token).contentType(ContentType.JSON)
                .body(Map.of("mode", "merge", "data", Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0",
                        DeviceAttributes.UPDATER, DeviceAttributes.UPDATER_PROTOCOL)))
                .put(path + "/configData").then().statusCode(200);
        String action = publisher().contentType(ContentType.JSON)
                .body(Map.of("model", m, "version", "1.0.0", "device", id, "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201).extract().path("actions[0].id").toString();

        JsonPath dep = given().header("Authorization", "TargetToken " + token)
                .get(path + "/deploymentBase/" + action).then().statusCode(200).extract().jsonPath();
        List<String> files = dep.getList("deployment.chunks[0].artifacts.filename");
        assertEquals(List.of("m.onnx", "m.onnx.release.json", "m.onnx.selftest.json"), files);
        assertEquals(digest, dep.getString("deployment.chunks[0].artifacts[2].hashes.sha256"));

        byte[] doc = given().header("Authorization", "TargetToken " + token)
                .get(dep.getString("deployment.chunks[0].artifacts[2]._links.download-http.href"))
                .then().statusCode(200).extract().asByteArray();
        assertEquals(digest, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(doc)));
        assertEquals(doc.length, dep.getLong("deployment.chunks[0].artifacts[2].size"));
        given().header("Authorization", "TargetToken " + token)
                .get(dep.getString("deployment.chunks[0].artifacts[2]._links.md5sum-http.href"))
                .then().statusCode(200).body(containsString("  m.onnx.selftest.json"));

        String envelope = given().header("Authorization", "TargetToken " + token)
                .get(dep.getString("deployment.chunks[0].artifacts[1]._links.download-http.href"))
                .then().statusCode(200).extract().asString();
        ArtifactMetadata meta = ArtifactMetadata.fromMap(SignedEnvelope.parse(envelope).signed());
        assertNotNull(meta.selfTest());
        assertEquals(new ArtifactMetadata.SelfTestFile("m.onnx.selftest.json", digest, doc.length), meta.selfTest());
    }
}
