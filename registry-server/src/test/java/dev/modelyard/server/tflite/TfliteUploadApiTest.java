package dev.modelyard.server.tflite;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.testing.TfliteMlp;
import dev.modelyard.testing.TfliteModels;
import dev.modelyard.testing.TfliteModels.Graph;
import dev.modelyard.testing.TfliteModels.Op;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TensorFlow Lite uploads are checked before they are stored and give the draft their I/O signature. */
@QuarkusTest
class TfliteUploadApiTest {

    private static final TfliteMlp MLP = TfliteMlp.seeded(11, 8, 16, 4);

    @Inject
    AgroalDataSource db;

    @Test
    void aRunnableModelIsDescribedAndGivesTheDraftItsSignature() {
        String m = Api.createModel("tfl-ok");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "mlp-int8.tflite", MLP.int8(), "arch=aarch64&precision=int8").then().statusCode(201)
                .body("target.format", equalTo("tflite"))
                .body("metadata.tflite.version", equalTo(3))
                .body("metadata.tflite.inputs[0].name", equalTo("input"))
                .body("metadata.tflite.inputs[0].dtype", equalTo("int8"))
                .body("metadata.tflite.inputs[0].shape", equalTo(List.of(1, 8)))
                .body("metadata.tflite.outputs[0].name", equalTo("output"))
                .body("metadata.tflite.parameterCount", equalTo(8 * 16 + 16 + 16 * 4 + 4))
                .body("metadata.tflite.operators.'9'", equalTo(2))
                .body("metadata.onnx", nullValue());
        viewer().get("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200)
                .body("ioSignature.inputs[0].name", equalTo("input"))
                .body("ioSignature.inputs[0].dtype", equalTo("int8"))
                .body("ioSignature.inputs[0].shape", equalTo(List.of(1, 8)))
                .body("ioSignature.outputs[0].name", equalTo("output"))
                .body("ioSignature.outputs[0].shape", equalTo(List.of(1, 4)));
    }

    @Test
    void aDynamicBatchIsMinusOneInTheSignature() {
        String m = Api.createModel("tfl-dyn");
        Api.createVersion(m, "1.0.0");
        Graph g = MLP.graph();
        byte[] dynamic = TfliteModels.write(g.withTensor(0, g.tensors().get(0).withShapeSignature(-1, 8)));
        Api.upload(m, "1.0.0", "mlp.tflite", dynamic, null).then().statusCode(201);
        viewer().get("/api/v1/models/{m}/versions/1.0.0", m).then().body("ioSignature.inputs[0].shape", equalTo(List.of(-1, 8)));
    }

    @Test
    void theSelfTestIsCheckedAgainstTheSignatureAtPublication() {
        String m = Api.createModel("tfl-st");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "mlp.tflite", MLP.float32(), "arch=x86_64").then().statusCode(201);
        float[] x = MLP.input(1);
        float[] y = MLP.run(x);
        String doc = "{\"tolerance\": 0.0001, \"cases\": [{\"name\": \"seed-1\","
                + " \"inputs\": {\"input\": {\"dtype\": \"float32\", \"shape\": [1, 8], \"data\": " + Arrays.toString(x) + "}},"
                + " \"outputs\": {\"output\": {\"dtype\": \"float32\", \"shape\": [1, 4], \"data\": " + Arrays.toString(y) + "}}}]}";
        setSelfTest(m, doc.replace("\"input\": {\"dtype\": \"float32\"", "\"input\": {\"dtype\": \"int32\"")
                .replace(Arrays.toString(x), "[0, 0, 0, 0, 0, 0, 0, 0]"));
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(409)
                .body("detail", containsString("selfTest.cases[0].inputs.input"));
        setSelfTest(m, doc.replace("\"output\": {", "\"logits\": {"));
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(409)
                .body("detail", containsString("the model has no output named 'logits'"));
        setSelfTest(m, doc);
        publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200)
                .body("status", equalTo("published"));
    }

    @Test
    void malformedFilesAre422AndNothingIsKept() throws Exception {
        String m = Api.createModel("tfl-bad");
        Api.createVersion(m, "1.0.0");
        long blobs = count("SELECT count(*) FROM blob");
        java.util.Set<Path> staged = TestServer.stagedParts();
        byte[] model = MLP.float32();
        refused(m, "cut.tflite", Arrays.copyOf(model, model.length - 40), "not a valid TensorFlow Lite model: ");
        byte[] onnxLike = model.clone();
        onnxLike[4] = 'O';
        refused(m, "wrong-id.tflite", onnxLike, "the file identifier is 'OFL3', not TFL3");
        Graph g = MLP.graph();
        refused(m, "buffer.tflite", TfliteModels.write(g.withTensor(5, g.tensors().get(5).withBuffer(99))),
                "subgraphs[0].tensors[5].buffer 99 is out of range: the model has 5 buffers");
        refused(m, "opcode.tflite", TfliteModels.write(g.withOperator(2, new Op(7, new int[] {4, 5, 6}, new int[] {7},
                TfliteModels.FULLY_CONNECTED_OPTIONS))), "subgraphs[0].operators[2].opcode_index 7 is out of range");
        refused(m, "count.tflite", absurdBufferCount(model), "Model.buffers has 2147483647 entries");
        refused(m, "random.tflite", Api.randomBytes(2000, 4), "not a TensorFlow Lite model");
        // format tflite given explicitly for a file named otherwise
        Api.upload(m, "1.0.0", "model.bin", Api.randomBytes(100, 5), "format=tflite").then().statusCode(422)
                .body("code", equalTo("invalid-model"));
        viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts", m).then().body("total", equalTo(0));
        viewer().get("/api/v1/models/{m}/versions/1.0.0", m).then().body("ioSignature", nullValue());
        assertEquals(blobs, count("SELECT count(*) FROM blob"));
        TestServer.awaitNoNewStagedParts(staged);
    }

    private static void refused(String m, String filename, byte[] body, String message) {
        Api.upload(m, "1.0.0", filename, body, null).then().statusCode(422)
                .contentType("application/problem+json")
                .body("code", equalTo("invalid-model"))
                .body("detail", containsString("format tflite: "))
                .body("detail", containsString(message))
                .body("detail", containsString("nothing was stored"));
    }

    /** The model with its buffers vector claiming 2^31 - 1 entries. */
    private static byte[] absurdBufferCount(byte[] model) throws Exception {
        Path file = Files.createTempFile("absurd", ".tflite");
        try {
            Files.write(file, model);
            try (var ch = java.nio.channels.FileChannel.open(file)) {
                FlatBufferReader r = new FlatBufferReader(ch);
                long buffers = r.deref(r.field(r.root("TFL3"), 4));
                byte[] c = model.clone();
                ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt((int) buffers, Integer.MAX_VALUE);
                return c;
            }
        } finally {
            Files.delete(file);
        }
    }

    private static void setSelfTest(String m, String doc) {
        publisher().contentType(ContentType.JSON).body("{\"selfTest\":" + doc + "}")
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200);
    }

    private long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
