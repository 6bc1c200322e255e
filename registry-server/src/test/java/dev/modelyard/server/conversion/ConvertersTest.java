package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.OnnxInspector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.OperatorSetId;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertersTest {

    static final Conversions.Check LOSSLESS = new Conversions.Check(8, 42, EquivalenceCheck.Tolerance.LOSSLESS);
    static final Conversions.Check FP16 = new Conversions.Check(8, 42, new EquivalenceCheck.Tolerance(5e-3, 0.9999));
    static final Conversions.Check INT8 = new Conversions.Check(8, 42, new EquivalenceCheck.Tolerance(5e-2, 0.999));

    @TempDir
    Path dir;

    Path mlp() throws Exception {
        return TestModels.write(TestModels.mlp(256, 512, 16, 11), dir.resolve("mlp.onnx"));
    }

    Path cnn() throws Exception {
        return TestModels.write(TestModels.cnn(12), dir.resolve("cnn.onnx"));
    }

    @Test
    void ortOptimizationAtEveryLevel() throws Exception {
        for (Path src : List.of(mlp(), cnn())) {
            for (OrtOptimizer.Level level : OrtOptimizer.Level.values()) {
                OrtOptimizer c = new OrtOptimizer(level, OrtOptimizer.Format.ONNX);
                Conversions.Result r = Conversions.run(c, src, dir.resolve(level + "-" + src.getFileName()), LOSSLESS);
                assertTrue(r.equivalence().withinTolerance());
                assertEquals(level == OrtOptimizer.Level.BASIC, r.portable());
                assertEquals(Map.of("level", level.name().toLowerCase(), "format", "onnx"), r.parameters());
                assertTrue(r.equivalence().maxAbsError() < 1e-4, "" + r.equivalence());
            }
        }
    }

    @Test
    void ortFormat() throws Exception {
        Path src = cnn();
        Conversions.Result r = Conversions.run(OrtOptimizer.toOrtFormat(), src, dir.resolve("cnn.ort"), LOSSLESS);
        byte[] head = Files.readAllBytes(r.output());
        // ORT format files are FlatBuffers with the file identifier "ORTM" at bytes 4..8.
        assertEquals("ORTM", new String(head, 4, 4));
        assertTrue(r.portable());
        ConversionException e = assertThrows(ConversionException.class,
                () -> Conversions.run(OrtOptimizer.toOrtFormat(), src, dir.resolve("cnn.onnx2"), LOSSLESS));
        assertTrue(e.getMessage().contains("*.ort"), e.getMessage());
    }

    @Test
    void fp16WeightsHalveTheFileAndStayClose() throws Exception {
        Path src = mlp();
        Conversions.Result r = Conversions.run(new Fp16WeightConverter(16), src, dir.resolve("mlp-fp16.onnx"), FP16);
        assertTrue(r.sizeRatio() > 1.9 && r.sizeRatio() < 2.01, "ratio " + r.sizeRatio());
        assertTrue(r.equivalence().maxAbsError() > 0, "the weights did change");
        ModelProto m = Onnx.read(r.output());
        assertEquals(4, m.graph().node().stream().filter(n -> n.opType().equals("Cast")).count());
        assertTrue(m.graph().initializer().stream().filter(t -> t.dataType() == Onnx.DataType.FLOAT16).count() == 4);
        assertEquals("float32", OnnxInspector.inspect(r.output(), OnnxInspector.Limits.DEFAULT).inputs().get(0).elemType());

        Conversions.Result cnn = Conversions.run(new Fp16WeightConverter(16), cnn(), dir.resolve("cnn-fp16.onnx"), FP16);
        assertTrue(cnn.sizeRatio() > 1.5, "ratio " + cnn.sizeRatio());
    }

    @Test
    void int8PerChannelQuantization() throws Exception {
        Conversions.Result r = Conversions.run(new Int8WeightQuantizer(true, 16), mlp(), dir.resolve("mlp-int8.onnx"), INT8);
        assertTrue(r.sizeRatio() > 3.5, "ratio " + r.sizeRatio());
        ModelProto m = Onnx.read(r.output());
        List<NodeProto> dq = m.graph().node().stream().filter(n -> n.opType().equals("DequantizeLinear")).toList();
        assertEquals(2, dq.size());
        // MatMul B [in, hidden]: channels on axis 1; Gemm with transB, B [out, hidden]: axis 0.
        assertEquals(1, dq.stream().filter(n -> n.output().get(0).equals("w1")).findFirst().orElseThrow().attribute("axis").i());
        assertEquals(0, dq.stream().filter(n -> n.output().get(0).equals("w2")).findFirst().orElseThrow().attribute("axis").i());
        TensorProto w1 = m.graph().initializer().stream().filter(t -> t.name().equals("w1_quantized")).findFirst().orElseThrow();
        assertEquals(Onnx.DataType.INT8, w1.dataType());
        TensorProto s1 = m.graph().initializer().stream().filter(t -> t.name().equals("w1_scale")).findFirst().orElseThrow();
        assertEquals(512, s1.floats().length);

        Conversions.Result c = Conversions.run(new Int8WeightQuantizer(true, 16), cnn(), dir.resolve("cnn-int8.onnx"), INT8);
        assertEquals(3, Onnx.read(c.output()).graph().node().stream().filter(n -> n.opType().equals("DequantizeLinear")).count());
        assertTrue(c.equivalence().minCosine() > 0.999);
    }

    @Test
    void int8FallsBackToPerTensorBeforeOpset13() throws Exception {
        ModelProto m = TestModels.mlp(64, 64, 8, 3);
        Path src = TestModels.write(m.withOpsetImport(List.of(new OperatorSetId("", 11))), dir.resolve("mlp11.onnx"));
        Conversions.Result r = Conversions.run(new Int8WeightQuantizer(true, 16), src, dir.resolve("mlp11-int8.onnx"), INT8);
        ModelProto out = Onnx.read(r.output());
        for (NodeProto n : out.graph().node()) {
            if (n.opType().equals("DequantizeLinear")) assertEquals(null, n.attribute("axis"));
        }
        ModelProto old = m.withOpsetImport(List.of(new OperatorSetId("", 9)));
        Path src9 = TestModels.write(old, dir.resolve("mlp9.onnx"));
        ConversionException e = assertThrows(ConversionException.class,
                () -> Conversions.run(new Int8WeightQuantizer(true, 16), src9, dir.resolve("mlp9-int8.onnx"), INT8));
        assertTrue(e.getMessage().contains("opset 10"), e.getMessage());
    }

    @Test
    void aResultOutsideTheToleranceFailsAndLeavesNothing() throws Exception {
        Path out = dir.resolve("strict.onnx");
        Conversions.Check strict = new Conversions.Check(4, 1, new EquivalenceCheck.Tolerance(1e-7, 0.9999999));
        ConversionException e = assertThrows(ConversionException.class,
                () -> Conversions.run(new Int8WeightQuantizer(false, 16), mlp(), out, strict));
        assertTrue(e.getMessage().contains("changed the model's outputs too much"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void halfPrecisionConversionRoundsCorrectly() {
        assertEquals((short) 0x3c00, Half.fromFloat(1f));
        assertEquals((short) 0x7bff, Half.fromFloat(65504f));
        assertEquals((short) 0x7c00, Half.fromFloat(70000f));
        assertEquals((short) 0x0001, Half.fromFloat(5.9604645e-8f));
        assertEquals((short) 0x0000, Half.fromFloat(1e-9f));
        assertEquals((short) 0xc000, Half.fromFloat(-2f));
        assertEquals((short) 0x3c00, Half.fromFloat(1.00048828125f)); // halfway between 1 and next: ties to even
        assertEquals((short) 0x3c02, Half.fromFloat(1.00146484375f)); // halfway between 0x3c01 and 0x3c02: to even
        for (int h = 0; h < 65536; h++) {
            float f = Half.toFloat((short) h);
            if (!Float.isNaN(f)) assertEquals((short) h, Half.fromFloat(f), "half " + Integer.toHexString(h));
        }
    }
}
