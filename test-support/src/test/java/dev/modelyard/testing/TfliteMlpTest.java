package dev.modelyard.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable TFLite models run in a real interpreter (the ARM NN TfLite parser on its reference
 * backend, through its Python binding) and answer what {@link TfliteMlp} computes.
 */
class TfliteMlpTest {

    private static final String RUN = String.join("\n",
            "import sys, numpy as np, pyarmnn as ann",
            "path, dtype, values = sys.argv[1], sys.argv[2], sys.argv[3]",
            "parser = ann.ITfLiteParser()",
            "network = parser.CreateNetworkFromBinaryFile(path)",
            "inp = parser.GetNetworkInputBindingInfo(0, parser.GetSubgraphInputTensorNames(0)[0])",
            "out = parser.GetNetworkOutputBindingInfo(0, parser.GetSubgraphOutputTensorNames(0)[0])",
            "runtime = ann.IRuntime(ann.CreationOptions())",
            "optimized, _ = ann.Optimize(network, [ann.BackendId('CpuRef')], runtime.GetDeviceSpec(), ann.OptimizerOptions())",
            "net_id, _ = runtime.LoadNetwork(optimized)",
            "x = np.array([float(v) for v in values.split(',')]).astype(dtype).reshape(1, -1)",
            "outputs = ann.make_output_tensors([out])",
            "runtime.EnqueueWorkload(net_id, ann.make_input_tensors([inp], [x]), outputs)",
            "print(' '.join(repr(float(v)) for v in ann.workload_tensors_to_ndarray(outputs)[0].flatten()))");

    @TempDir
    Path dir;

    @Test
    void float32MlpRunsAndMatchesTheReference() throws Exception {
        TfliteMlp mlp = TfliteMlp.seeded(7, 8, 16, 4);
        for (long seed = 1; seed <= 3; seed++) {
            float[] x = mlp.input(seed);
            float[] expected = mlp.run(x);
            double[] actual = interpret(mlp.float32(), "float32", join(x));
            assertEquals(expected.length, actual.length);
            for (int k = 0; k < expected.length; k++) assertEquals(expected[k], actual[k], 1e-5, "output " + k);
        }
    }

    @Test
    void int8MlpRunsAndMatchesTheIntegerReference() throws Exception {
        TfliteMlp mlp = TfliteMlp.seeded(7, 8, 16, 4);
        for (long seed = 1; seed <= 3; seed++) {
            float[] x = mlp.input(seed);
            byte[] q = mlp.quantizeInput(x);
            byte[] expected = mlp.runInt8(q);
            double[] actual = interpret(mlp.int8(), "int8", join(q));
            byte[] got = new byte[actual.length];
            for (int k = 0; k < got.length; k++) got[k] = (byte) actual[k];
            assertArrayEquals(expected, got);
            // The quantized model approximates the float one: a wrong scale would not.
            float[] real = mlp.dequantizeOutput(got);
            float[] exact = mlp.run(x);
            for (int k = 0; k < real.length; k++) assertEquals(exact[k], real[k], 0.1 * Math.max(1, Math.abs(exact[k])), "output " + k);
        }
    }

    @Test
    void seedsGiveDifferentWeights() {
        TfliteMlp a = TfliteMlp.seeded(1, 4, 4, 2), b = TfliteMlp.seeded(2, 4, 4, 2);
        float[] x = a.input(1);
        assertEquals(false, java.util.Arrays.equals(a.run(x), b.run(x)));
        assertEquals(false, java.util.Arrays.equals(a.float32(), b.float32()));
    }

    private double[] interpret(byte[] model, String dtype, String values) throws IOException, InterruptedException {
        Path file = Files.write(dir.resolve("model.tflite"), model);
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", RUN, file.toString(), dtype, values)
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(5, TimeUnit.MINUTES)) p.destroyForcibly();
        assertEquals(0, p.exitValue(), () -> "interpreter failed: " + read(dir.resolve("stderr.txt")));
        List<Double> values2 = new ArrayList<>();
        for (String v : out.split(" ")) values2.add(Double.parseDouble(v));
        return values2.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String join(float[] x) {
        StringBuilder s = new StringBuilder();
        for (float v : x) s.append(s.length() == 0 ? "" : ",").append(v);
        return s.toString();
    }

    private static String join(byte[] x) {
        StringBuilder s = new StringBuilder();
        for (byte v : x) s.append(s.length() == 0 ? "" : ",").append(v);
        return s.toString();
    }
}
