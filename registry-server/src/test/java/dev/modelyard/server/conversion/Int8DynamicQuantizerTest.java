package dev.modelyard.server.conversion;

import static dev.modelyard.server.conversion.TestModels.count;
import static dev.modelyard.server.conversion.TestModels.initializer;
import static dev.modelyard.server.conversion.TestModels.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.OperatorSetId;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx.ValueInfoProto;
import dev.modelyard.server.onnx.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code int8-dynamic} on real models built in code, run in ONNX Runtime. The stated tolerance
 * for these models (weights ±1/sqrt(fan-in), inputs in [-1, 1)): max abs error 2e-2 and cosine
 * 0.999 against float32, which leaves room for 7-bit weights and 8-bit activations but not for
 * a wrong scale, axis or transposition (each of those puts the cosine far below 0.99).
 */
class Int8DynamicQuantizerTest {

    static final EquivalenceCheck.Tolerance STATED = new EquivalenceCheck.Tolerance(2e-2, 0.999);
    static final Conversions.Check CHECK = new Conversions.Check(16, 7, STATED);

    @TempDir
    Path dir;

    @Test
    void matMulAndGemmBecomeIntegerKernelsAndStayCloseToFloat() throws Exception {
        Path src = TestModels.write(TestModels.mlp(256, 512, 16, 11), dir.resolve("mlp.onnx"));
        Conversions.Result r = Conversions.run(BuiltInConverters.create("int8-dynamic", Map.of()), src,
                dir.resolve("mlp-int8.onnx"), CHECK);
        assertTrue(r.equivalence().withinTolerance(), "" + r.equivalence());
        assertTrue(r.equivalence().maxAbsError() > 0, "the outputs did change: the weights really are int8");
        assertTrue(r.sizeRatio() > 3.5, "ratio " + r.sizeRatio());
        assertTrue(r.portable());

        GraphProto g = Onnx.read(r.output()).graph();
        assertEquals(2, count(g, "DynamicQuantizeLinear"));
        assertEquals(2, count(g, "MatMulInteger"));
        assertEquals(0, count(g, "MatMul") + count(g, "Gemm"), "no float matrix product is left");
        assertEquals(2, count(g, "Add"), "the MatMul's own Add, and the Gemm's bias");
        for (String gone : List.of("w1", "w2")) {
            assertFalse(g.initializer().stream().anyMatch(t -> t.name().equals(gone)), gone + " is no longer stored in float");
        }
        // Gemm's transB weight [16, 512] is stored as [K, N] = [512, 16] with one scale per output column.
        TensorProto w2 = initializer(g, "w2_transposed_quantized");
        assertEquals(Onnx.DataType.INT8, w2.dataType());
        assertEquals(List.of(512L, 16L), List.of(w2.dims()[0], w2.dims()[1]));
        assertEquals(16, initializer(g, "w2_transposed_scale").floats().length);
        byte[] q = initializer(g, "w1_quantized").rawData();
        int max = 0;
        for (byte b : q) max = Math.max(max, Math.abs(b));
        assertEquals(63, max, "reduceRange (the default) keeps weights in 7 bits");
    }

    @Test
    void onnxRuntimeFusesThePatternIntoItsIntegerKernel() throws Exception {
        Path src = TestModels.write(TestModels.mlp(128, 256, 8, 5), dir.resolve("mlp.onnx"));
        Path q = dir.resolve("q.onnx");
        new Int8DynamicQuantizer(true, true, 16).convert(src, q);
        Path optimized = dir.resolve("q-opt.onnx");
        new OrtOptimizer(OrtOptimizer.Level.EXTENDED, OrtOptimizer.Format.ONNX).convert(q, optimized);
        GraphProto g = Onnx.read(optimized).graph();
        assertEquals(0, count(g, "MatMulInteger"), "every MatMulInteger was fused: " + ops(g));
        assertEquals(2, count(g, "DynamicQuantizeMatMul") + count(g, "MatMulIntegerToFloat"), ops(g));
    }

    @Test
    void everyParameterCombinationStaysWithinTheStatedTolerance() throws Exception {
        Path src = TestModels.write(TestModels.mlp(256, 512, 16, 3), dir.resolve("mlp.onnx"));
        Path cnn = TestModels.write(TestModels.cnn(12), dir.resolve("cnn.onnx"));
        for (boolean perChannel : List.of(true, false)) {
            for (boolean reduceRange : List.of(true, false)) {
                Map<String, Object> p = Map.of("perChannel", perChannel, "reduceRange", reduceRange);
                Converter c = BuiltInConverters.create("int8-dynamic", p);
                assertEquals(perChannel, c.parameters().get("perChannel"));
                if (!reduceRange && mayOverflowWithEightBitWeights()) {
                    // Full 8-bit weights on an x86 CPU without VNNI: ONNX Runtime's u8s8 kernel adds pairs of
                    // products in 16 bits, which can saturate. The check must then either pass or refuse the
                    // result, never let a wrong file through (why reduceRange is the default).
                    assertWithinToleranceOrRefused(c, src, "mlp-" + perChannel + reduceRange + ".onnx", p);
                    assertWithinToleranceOrRefused(c, cnn, "cnn-" + perChannel + reduceRange + ".onnx", p);
                    continue;
                }
                Conversions.Result r = Conversions.run(c, src, dir.resolve("mlp-" + perChannel + reduceRange + ".onnx"), CHECK);
                assertTrue(r.equivalence().withinTolerance(), p + ": " + r.equivalence());
                Conversions.Result rc = Conversions.run(c, cnn, dir.resolve("cnn-" + perChannel + reduceRange + ".onnx"), CHECK);
                GraphProto g = Onnx.read(rc.output()).graph();
                assertEquals(1, count(g, "MatMulInteger"), "the classifier's Gemm");
                assertEquals(2, count(g, "Conv"), "convolutions stay float32");
            }
        }
    }

    /** An x86 machine whose CPU has no VNNI instructions (AVX-512 VNNI or AVX-VNNI). */
    private static boolean mayOverflowWithEightBitWeights() {
        ConvertingMachine here = ConvertingMachine.local();
        return "x86_64".equals(here.arch()) && !here.features().contains("avx512_vnni") && !here.features().contains("avx_vnni");
    }

    private void assertWithinToleranceOrRefused(Converter c, Path source, String output, Map<String, Object> p) throws Exception {
        Path out = dir.resolve(output);
        try {
            Conversions.Result r = Conversions.run(c, source, out, CHECK);
            assertTrue(r.equivalence().withinTolerance(), p + ": " + r.equivalence());
        } catch (ConversionException refused) {
            assertTrue(refused.getMessage().contains("changed the model's outputs too much"), p + ": " + refused.getMessage());
        }
    }

    @Test
    void aModelWithNothingToQuantizeIsRefusedNotCopied() throws Exception {
        GraphProto g = new GraphProto(List.of(new NodeProto("Relu", List.of("x"), List.of("y"), "relu", List.of())), "relu",
                List.of(), List.of(ValueInfoProto.tensor("x", Onnx.DataType.FLOAT, "batch", 8L)),
                List.of(ValueInfoProto.tensor("y", Onnx.DataType.FLOAT, "batch", 8L)));
        Path relu = TestModels.write(TestModels.model(g), dir.resolve("relu.onnx"));
        Path out = dir.resolve("relu-int8.onnx");
        ConversionException e = assertThrows(ConversionException.class,
                () -> Conversions.run(new Int8DynamicQuantizer(true, true, 16), relu, out, CHECK));
        assertTrue(e.getMessage().contains("found nothing to quantize"), e.getMessage());
        assertFalse(Files.exists(out));

        Path mlp = TestModels.write(TestModels.mlp(16, 16, 4, 1), dir.resolve("small.onnx"));
        ConversionException small = assertThrows(ConversionException.class, () -> Conversions.run(
                BuiltInConverters.create("int8-dynamic", Map.of("minElements", 1000)), mlp, out, CHECK));
        assertTrue(small.getMessage().contains("at least 1000 elements"), small.getMessage());
    }

    @Test
    void badParametersAndOldOpsetsAreRefused() throws Exception {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> BuiltInConverters.create("int8-dynamic", Map.of("bits", 4)));
        assertEquals("params: 'bits' is not a parameter of int8-dynamic; it takes [minElements, perChannel, reduceRange]",
                unknown.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> BuiltInConverters.create("int8-dynamic", Map.of("reduceRange", "yes")));
        assertEquals("params.reduceRange: must be true or false", range.getMessage());
        IllegalArgumentException min = assertThrows(IllegalArgumentException.class,
                () -> BuiltInConverters.create("int8-dynamic", Map.of("minElements", -1)));
        assertEquals("params.minElements: must be a whole number of 0 or more", min.getMessage());
        assertEquals("onnx", BuiltInConverters.outputFormat("int8-dynamic"));
        assertEquals(List.of("perChannel", "reduceRange", "minElements"), BuiltInConverters.settableParameters("int8-dynamic"));

        ModelProto old = TestModels.mlp(64, 64, 8, 3).withOpsetImport(List.of(new OperatorSetId("", 10)));
        Path src = TestModels.write(old, dir.resolve("mlp10.onnx"));
        ConversionException e = assertThrows(ConversionException.class,
                () -> new Int8DynamicQuantizer(true, true, 16).convert(src, dir.resolve("mlp10-int8.onnx")));
        assertTrue(e.getMessage().contains("opset 11"), e.getMessage());
    }
}
