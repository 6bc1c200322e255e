package dev.modelyard.server.conversion;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.server.onnx.Onnx;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ONNX uploads are looked into before they are stored; other formats stay opaque. */
@QuarkusTest
class OnnxUploadApiTest {

    @Inject
    AgroalDataSource db;

    private static String base(String m, String v) {
        return "/api/v1/models/" + m + "/versions/" + v + "/artifacts";
    }

    @Test
    void aValidModelIsDescribedAndGivesTheDraftItsSignature() {
        String m = Api.createModel("onnx-ok");
        Api.createVersion(m, "1.0.0");
        byte[] cnn = TestModels.bytes(TestModels.cnn(5));
        Api.upload(m, "1.0.0", "cnn.onnx", cnn, "arch=x86_64").then().statusCode(201)
                .body("metadata.onnx.irVersion", equalTo(8))
                .body("metadata.onnx.opsets.'ai.onnx'", equalTo(17))
                .body("metadata.onnx.inputs[0].name", equalTo("image"))
                .body("metadata.onnx.inputs[0].dtype", equalTo("float32"))
                .body("metadata.onnx.inputs[0].shape", equalTo(List.of("batch", 3, 16, 16)))
                .body("metadata.onnx.outputs[0].name", equalTo("logits"))
                .body("metadata.onnx.parameterCount", equalTo(8 * 27 + 8 + 16 * 72 + 16 + 160 + 10))
                .body("metadata.onnx.operators.Conv", equalTo(2))
                .body("metadata.onnx.operators.GlobalAveragePool", equalTo(1));
        viewer().get("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200)
                .body("ioSignature.inputs[0].name", equalTo("image"))
                .body("ioSignature.inputs[0].shape", equalTo(List.of("batch", 3, 16, 16)))
                .body("ioSignature.outputs[0].dtype", equalTo("float32"));
    }

    @Test
    void aDeclaredSignatureIsKept() {
        String m = Api.createModel("onnx-sig");
        publisher().contentType(ContentType.JSON).body(Map.of("version", "1.0.0", "ioSignature", Map.of(
                        "inputs", List.of(Map.of("name", "audio", "dtype", "float32", "shape", List.of(1, 16000))),
                        "outputs", List.of(Map.of("name", "scores", "dtype", "float32", "shape", List.of(1, 12))))))
                .post("/api/v1/models/{m}/versions", m).then().statusCode(201);
        Api.upload(m, "1.0.0", "mlp.onnx", Api.onnxModel(3), null).then().statusCode(201)
                .body("metadata.onnx.inputs[0].name", equalTo("x"));
        viewer().get("/api/v1/models/{m}/versions/1.0.0", m).then().body("ioSignature.inputs[0].name", equalTo("audio"));
    }

    @Test
    void filesThatAreNotUsableOnnxAre422AndNothingIsKept() throws Exception {
        String m = Api.createModel("onnx-bad");
        Api.createVersion(m, "1.0.0");
        long blobs = count("SELECT count(*) FROM blob");
        java.util.Set<Path> staged = TestServer.stagedParts();
        byte[] model = TestModels.bytes(TestModels.mlp(16, 16, 4, 9));
        Api.upload(m, "1.0.0", "cut.onnx", Arrays.copyOf(model, model.length - 40), null).then().statusCode(422)
                .contentType("application/problem+json")
                .body("detail", containsString("not a valid ONNX model"))
                .body("detail", containsString("nothing was stored"));
        Api.upload(m, "1.0.0", "random.onnx", Api.randomBytes(2000, 4), null).then().statusCode(422)
                .body("detail", containsString("not"));
        Api.upload(m, "1.0.0", "keras.onnx", new byte[]{'P', 'K', 3, 4, 0, 0, 0, 0}, null).then().statusCode(422)
                .body("detail", containsString("zip archive"));
        byte[] oldOpset = Onnx.toBytes(TestModels.mlp(4, 4, 2, 1).withOpsetImport(List.of(new Onnx.OperatorSetId("", 3))));
        Api.upload(m, "1.0.0", "old.onnx", oldOpset, null).then().statusCode(422)
                .body("detail", containsString("unsupported opset"));
        // format onnx given explicitly for a file named otherwise
        Api.upload(m, "1.0.0", "model.bin", Api.randomBytes(100, 5), "format=onnx").then().statusCode(422);
        viewer().get(base(m, "1.0.0")).then().body("total", equalTo(0));
        viewer().get("/api/v1/models/{m}/versions/1.0.0", m).then().body("ioSignature", nullValue());
        assertEquals(blobs, count("SELECT count(*) FROM blob"));
        TestServer.awaitNoNewStagedParts(staged);
    }

    @Test
    void otherFormatsStayOpaque() {
        String m = Api.createModel("opaque");
        Api.createVersion(m, "1.0.0");
        byte[] blob = Api.randomBytes(3000, 6);
        Api.upload(m, "1.0.0", "kws.bin", blob, "arch=armv7&precision=int8").then().statusCode(201)
                .body("target.format", equalTo("bin"))
                .body("size", equalTo(3000))
                .body("sha256", equalTo(Api.sha256(blob)))
                .body("metadata.onnx", nullValue())
                .body("metadata.tflite", nullValue());
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
