package dev.modelyard.server.conversion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.modelyard.server.onnx.OnnxInspector;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A conversion's check loads each model into ONNX Runtime once: the result (its load time is
 * reported) and the source, shared by the generated inputs and the self-test vectors. Counted
 * through the {@link SessionLoader} the chain is given; the sessions are real.
 */
class CheckLoadsTest {

    @TempDir
    Path dir;

    /** Real loads, remembered in order. */
    static final class Counting implements SessionLoader {
        final List<Path> loaded = new ArrayList<>();

        @Override
        public OrtSession load(Path model) throws ai.onnxruntime.OrtException {
            loaded.add(model);
            return SessionLoader.DEFAULT.load(model);
        }
    }

    @Test
    void aChainWithSelfTestVectorsLoadsSourceAndResultOnceEach() throws Exception {
        Path src = TestModels.write(TestModels.mlp(64, 128, 8, 2), dir.resolve("source.onnx"));
        List<ConversionChain.Step> steps = List.of(step("int8-dynamic"), step("ort-format"));
        Conversions.Check check = new Conversions.Check(8, 42, new EquivalenceCheck.Tolerance(5e-2, 0.999),
                Optional.of(vectors(src, 3, 5e-2)));
        Counting loads = new Counting();
        ConversionChain.Result r = ConversionChain.run(src, steps, dir, check, OnnxInspector.Limits.DEFAULT,
                ConversionLog.NONE, loads);
        assertEquals(List.of(r.output(), src), loads.loaded, "the result once, then the source once");
        assertEquals(3, r.selfTest().orElseThrow().cases());
        assertEquals(8, r.equivalence().orElseThrow().samples());
    }

    @Test
    void aResultFailingItsSelfTestStillCostsTwoLoads() throws Exception {
        Path src = TestModels.write(TestModels.mlp(64, 128, 8, 2), dir.resolve("source.onnx"));
        Conversions.Check check = new Conversions.Check(8, 42, new EquivalenceCheck.Tolerance(5e-2, 0.999),
                Optional.of(vectors(src, 2, 1e-9)));
        Counting loads = new Counting();
        ConversionException e = assertThrows(ConversionException.class, () -> ConversionChain.run(src,
                List.of(step("int8-dynamic")), dir, check, OnnxInspector.Limits.DEFAULT, ConversionLog.NONE, loads));
        assertTrue(e.getMessage().contains("fails the version's self-test vectors"), e.getMessage());
        assertEquals(2, loads.loaded.size(), "" + loads.loaded);
    }

    @Test
    void aChainGivesInt8StaticTheVersionsSelfTestToCalibrateOn() throws Exception {
        Path src = TestModels.write(TestModels.mlp(64, 128, 8, 2), dir.resolve("source.onnx"));
        // Three batch-1 cases of this small perceptron calibrate coarser ranges than int8-static's own tests use.
        Conversions.Check check = new Conversions.Check(8, 42, new EquivalenceCheck.Tolerance(1e-1, 0.99),
                Optional.of(vectors(src, 3, 1e-1, true)));
        Counting loads = new Counting();
        ConversionChain.Result r = ConversionChain.run(src, List.of(step("int8-static"), step("ort-format")), dir, check,
                OnnxInspector.Limits.DEFAULT, ConversionLog.NONE, loads);
        assertEquals(3, r.selfTest().orElseThrow().cases());
        assertEquals(List.of(r.output(), src), loads.loaded, "calibration opens its own session; the check still loads two");

        Conversions.Check without = new Conversions.Check(8, 42, new EquivalenceCheck.Tolerance(1e-1, 0.999));
        ConversionException e = assertThrows(ConversionException.class, () -> ConversionChain.run(src,
                List.of(step("int8-static")), dir, without, OnnxInspector.Limits.DEFAULT, ConversionLog.NONE, loads));
        assertTrue(e.getMessage().startsWith("int8-static needs the version's self-test inputs"), e.getMessage());
    }

    private static ConversionChain.Step step(String name) {
        return new ConversionChain.Step(BuiltInConverters.create(name, Map.of()), BuiltInConverters.outputFormat(name),
                BuiltInConverters.version(name));
    }

    /** Self-test vectors with the source's own outputs as the expected ones. */
    private static SelfTestVectors vectors(Path model, int cases, double tolerance) throws Exception {
        return vectors(model, cases, tolerance, false);
    }

    /** As above; {@code uniform}: inputs uniform in [-1, 1) like the generated ones, else a smooth sine pattern. */
    private static SelfTestVectors vectors(Path model, int cases, double tolerance, boolean uniform) throws Exception {
        ObjectMapper json = new ObjectMapper();
        java.util.SplittableRandom random = new java.util.SplittableRandom(cases);
        List<SelfTestVectors.Case> list = new ArrayList<>();
        try (OrtSession s = Ort.load(model)) {
            for (int c = 0; c < cases; c++) {
                float[] x = new float[64];
                ArrayNode data = json.createArrayNode();
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (uniform ? random.nextDouble() * 2 - 1 : Math.sin(i * 0.37 + c));
                    data.add(x[i]);
                }
                try (OnnxTensor t = OnnxTensor.createTensor(Ort.env(), FloatBuffer.wrap(x), new long[]{1, 64});
                     OrtSession.Result out = s.run(Map.of("x", t))) {
                    float[] y = ((float[][]) out.get(0).getValue())[0];
                    double[] expected = new double[y.length];
                    for (int i = 0; i < y.length; i++) expected[i] = y[i];
                    list.add(new SelfTestVectors.Case("case-" + c,
                            Map.of("x", new SelfTestVectors.Tensor("float32", new long[]{1, 64}, data)), Map.of("y", expected)));
                }
            }
        }
        return new SelfTestVectors(tolerance, list);
    }
}
