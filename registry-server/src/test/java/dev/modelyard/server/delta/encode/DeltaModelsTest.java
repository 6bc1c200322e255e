package dev.modelyard.server.delta.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.modelyard.server.conversion.Ort;
import dev.modelyard.server.onnx.Onnx;
import dev.modelyard.server.onnx.OnnxInspector;
import dev.modelyard.testing.DeltaModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test kit's model pairs are models the registry accepts and ONNX Runtime runs, and differ as they say. */
class DeltaModelsTest {

    @TempDir
    Path dir;

    private static final DeltaModels.Mlp V1 = DeltaModels.mlp(32, 4, 11);

    @Test
    void everyVariantIsAnAcceptedRunnableModelOfTheAnnouncedSize() throws Exception {
        List<DeltaModels.Mlp> variants = List.of(V1, V1.lastLayersChanged(0.1), V1.fineTuned(5), V1.fp16(),
                V1.fp16().fineTuned(5), V1.int8(), V1.int8().lastLayersChanged(0.3), V1.tensorSetChanged(),
                V1.fp16().tensorSetChanged(), V1.int8().tensorSetChanged());
        int i = 0;
        for (DeltaModels.Mlp m : variants) {
            Path file = m.write(dir.resolve("m" + i++ + ".onnx"));
            assertEquals(m.fileSize(), Files.size(file), m.toString());
            assertArrayEquals(Files.readAllBytes(file), m.toBytes());
            OnnxInspector.Report report = OnnxInspector.inspect(file, OnnxInspector.Limits.DEFAULT);
            assertEquals(List.of("batch", 32L), report.inputs().get(0).shape());
            int outWidth = m.changedTensorSet() ? 16 : 32;
            float[][] y = run(file, outWidth);
            assertEquals(outWidth, y[0].length);
            assertEquals(m.initializerNames(), names(file));
        }
    }

    @Test
    void anUntouchedTensorIsByteIdenticalAndAChangedOneIsNot() throws Exception {
        Map<String, byte[]> v1 = tensors(V1.write(dir.resolve("v1.onnx")));
        Map<String, byte[]> tail = tensors(V1.lastLayersChanged(0.3).write(dir.resolve("tail.onnx")));
        assertArrayEquals(v1.get("w0"), tail.get("w0"));
        assertArrayEquals(v1.get("w1"), tail.get("w1"));
        assertFalse(java.util.Arrays.equals(v1.get("w3"), tail.get("w3")));
        // 30 % of 4 equal layers: all of w3 and a fifth of w2, from its end
        byte[] a = v1.get("w2"), b = tail.get("w2");
        int changedFrom = (int) (a.length - 0.2 * a.length);
        assertArrayEquals(java.util.Arrays.copyOf(a, changedFrom - 8), java.util.Arrays.copyOf(b, changedFrom - 8));
        assertFalse(java.util.Arrays.equals(a, changedFrom + 8, a.length, b, changedFrom + 8, b.length));

        Map<String, byte[]> tuned = tensors(V1.fineTuned(3).write(dir.resolve("tuned.onnx")));
        for (String name : v1.keySet()) assertFalse(java.util.Arrays.equals(v1.get(name), tuned.get(name)), name);
    }

    @Test
    void theChangedTensorSetAddsRemovesRenamesAndReshapes() throws Exception {
        Map<String, byte[]> v1 = tensors(V1.write(dir.resolve("v1.onnx")));
        Map<String, byte[]> v2 = tensors(V1.tensorSetChanged().write(dir.resolve("v2.onnx")));
        assertTrue(v1.containsKey("bias") && !v2.containsKey("bias"), "removed");
        assertTrue(v2.containsKey("gain") && !v1.containsKey("gain"), "added");
        assertArrayEquals(v1.get("w1"), v2.get("layer1.weight"), "renamed, same bytes");
        assertArrayEquals(v1.get("w0"), v2.get("w0.flat"), "reshaped, same bytes");
        assertArrayEquals(v1.get("w2"), v2.get("w2"), "untouched");
        assertEquals(v1.get("w3").length / 2, v2.get("w3").length, "reshaped, other bytes");
    }

    @Test
    void fp16AndInt8StoreTheirOwnTypes() throws Exception {
        Map<String, Integer> fp16 = types(V1.fp16().write(dir.resolve("h.onnx")));
        assertEquals(Onnx.DataType.FLOAT16, fp16.get("w0.fp16"));
        Map<String, Integer> int8 = types(V1.int8().write(dir.resolve("q.onnx")));
        assertEquals(Onnx.DataType.INT8, int8.get("w0.q"));
        assertEquals(Onnx.DataType.UINT8, int8.get("w1.q"));
        assertEquals(Onnx.DataType.FLOAT, int8.get("w1.scale"));
        assertNotEquals(Files.size(dir.resolve("h.onnx")), Files.size(dir.resolve("q.onnx")));
    }

    @Test
    void halfPrecisionRoundsToNearestEven() {
        assertEquals(0x3c00, (DeltaModels.toHalf(1.0f) & 0xffff));
        assertEquals(0xc000, DeltaModels.toHalf(-2.0f) & 0xffff);
        assertEquals(0x7bff, (DeltaModels.toHalf(65504f) & 0xffff));
        assertEquals(0x7c00, (DeltaModels.toHalf(65520f) & 0xffff));
        assertEquals(0x0001, (DeltaModels.toHalf(5.960464477539063e-8f) & 0xffff));
        assertEquals(0x3555, (DeltaModels.toHalf(1f / 3) & 0xffff));
    }

    static float[][] run(Path model, int outWidth) throws Exception {
        try (OrtSession s = Ort.load(model);
             OnnxTensor x = OnnxTensor.createTensor(Ort.env(), new float[][] {new float[32]})) {
            try (OrtSession.Result r = s.run(Map.of("x", x))) {
                return (float[][]) r.get(0).getValue();
            }
        }
    }

    private static List<String> names(Path file) throws Exception {
        return Onnx.read(file).graph().initializer().stream().map(Onnx.TensorProto::name).toList();
    }

    static Map<String, byte[]> tensors(Path file) throws Exception {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (Onnx.TensorProto t : Onnx.read(file).graph().initializer()) m.put(t.name(), t.rawData());
        return m;
    }

    private static Map<String, Integer> types(Path file) throws Exception {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Onnx.TensorProto t : Onnx.read(file).graph().initializer()) m.put(t.name(), t.dataType());
        return m;
    }
}
