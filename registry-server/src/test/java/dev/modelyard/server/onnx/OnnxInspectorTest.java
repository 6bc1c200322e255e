package dev.modelyard.server.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.conversion.TestModels;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.OperatorSetId;
import dev.modelyard.server.onnx.Onnx.StringStringEntry;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.wire.IoSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxInspectorTest {

    @TempDir
    Path dir;

    @Test
    void describesAModel() throws Exception {
        Path p = TestModels.write(TestModels.mlp(16, 32, 4, 1), dir.resolve("mlp.onnx"));
        OnnxInspector.Report r = OnnxInspector.inspect(p, OnnxInspector.Limits.DEFAULT);
        assertEquals(8, r.irVersion());
        assertEquals(Map.of("ai.onnx", 17L), r.opsets());
        assertEquals(List.of(new OnnxInspector.Tensor("x", "float32", List.of("batch", 16L))), r.inputs());
        assertEquals(List.of(new OnnxInspector.Tensor("y", "float32", List.of("batch", 4L))), r.outputs());
        assertEquals(16 * 32 + 32 + 32 * 4 + 4, r.parameterCount());
        assertEquals(Map.of("MatMul", 1, "Add", 1, "Relu", 1, "Gemm", 1), r.operators());
        IoSignature sig = r.ioSignature().orElseThrow();
        sig.validate();
        assertEquals("x", sig.inputs().get(0).name());
        assertEquals(List.of("batch", 16L), sig.inputs().get(0).shape());

        OnnxInspector.Report cnn = OnnxInspector.inspect(TestModels.write(TestModels.cnn(1), dir.resolve("cnn.onnx")),
                OnnxInspector.Limits.DEFAULT);
        assertEquals(8 * 27 + 8 + 16 * 72 + 16 + 160 + 10, cnn.parameterCount());
        assertEquals(2, cnn.operators().get("Conv"));
        assertEquals(List.of("batch", 3L, 16L, 16L), cnn.inputs().get(0).shape());
    }

    @Test
    void refusesWhatIsNotOnnx() throws Exception {
        byte[] random = new byte[5000];
        new Random(3).nextBytes(random);
        random[0] = 0x47;
        refused(random, "not an ONNX model");
        refused(new byte[0], "the file is empty");
        byte[] zip = {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0};
        refused(zip, "zip archive");
        byte[] tflite = {0x1c, 0, 0, 0, 'T', 'F', 'L', '3', 0, 0, 0, 0};
        refused(tflite, "TensorFlow Lite");
        refused("{\"not\": \"onnx\"}".getBytes(), "first byte 0x7b");
        // starts like a model but has no graph
        refused(new byte[]{0x08, 8}, "ModelProto.graph is missing");
    }

    @Test
    void refusesTruncatedAndCorruptModels() throws Exception {
        byte[] b = TestModels.bytes(TestModels.cnn(2));
        refused(Arrays.copyOf(b, b.length - 100), "not a valid ONNX model: ");
        byte[] c = b.clone();
        c[3] = (byte) 0xff; // inside the first length prefix
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> inspect(c));
        assertTrue(e.getMessage().startsWith("not"), e.getMessage());
    }

    @Test
    void refusesUnsupportedOpsetsAndExternalData() throws Exception {
        ModelProto m = TestModels.mlp(4, 4, 2, 1);
        refused(Onnx.toBytes(m.withOpsetImport(List.of(new OperatorSetId("", 5)))),
                "unsupported opset: the model uses ai.onnx opset 5; opsets 7 to 23 are supported");
        refused(Onnx.toBytes(m.withOpsetImport(List.of(new OperatorSetId("", 99)))), "opset 99");
        refused(Onnx.toBytes(m.withOpsetImport(List.of(new OperatorSetId("com.example", 1)))), "does not import the default ONNX domain");

        TensorProto w = m.graph().initializer().get(0);
        TensorProto external = new TensorProto(w.dims(), w.dataType(), w.name(), null, new float[0], new int[0], new long[0],
                new double[0], new long[0], List.of(), null, TensorProto.EXTERNAL,
                List.of(new StringStringEntry("location", "weights.bin")), 0, new byte[0]);
        List<TensorProto> inits = new ArrayList<>(m.graph().initializer());
        inits.set(0, external);
        refused(Onnx.toBytes(m.withGraph(m.graph().withNodesAndInitializers(m.graph().node(), inits))),
                "initializer 'w1' keeps its data in an external file");

        TensorProto negative = TensorProto.raw("w1", Onnx.DataType.FLOAT, new long[]{4, -4}, new byte[0]);
        inits.set(0, negative);
        refused(Onnx.toBytes(m.withGraph(m.graph().withNodesAndInitializers(m.graph().node(), inits))),
                "tensor 'w1' has a negative dimension -4");

        Path p = TestModels.write(m, dir.resolve("m.onnx"));
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxInspector.inspect(p, new OnnxInspector.Limits(100, 7, 23, 11)));
        assertTrue(e.getMessage().contains("more than the 100 bytes"), e.getMessage());
        OnnxFormatException narrow = assertThrows(OnnxFormatException.class,
                () -> OnnxInspector.inspect(p, new OnnxInspector.Limits(1 << 20, 18, 23, 11)));
        assertTrue(narrow.getMessage().contains("opset 17; opsets 18 to 23"), narrow.getMessage());
    }

    private OnnxInspector.Report inspect(byte[] bytes) throws Exception {
        Path p = Files.write(dir.resolve("upload-" + System.nanoTime()), bytes);
        return OnnxInspector.inspect(p, OnnxInspector.Limits.DEFAULT);
    }

    private void refused(byte[] bytes, String expected) {
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> inspect(bytes));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }
}
