package dev.modelyard.device.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.TestEngines;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.TfliteMlp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorFlow Lite models go through the same swap, self-test and serving as ONNX ones. */
class TfliteRuntimeTest {

    static final TfliteMlp V1 = TfliteMlp.seeded(1, 8, 16, 3);
    static final TfliteMlp V2 = TfliteMlp.seeded(2, 8, 16, 3);
    static final float TOLERANCE = 1e-5f;

    @TempDir
    Path dir;
    final ModelRuntime runtime = new ModelRuntime(TestEngines.all(), 1);

    @AfterEach
    void close() {
        runtime.close();
    }

    private Path write(String name, byte[] model) throws Exception {
        return Files.write(dir.resolve(name), model);
    }

    private static Map<String, Tensor> input(float[] x) {
        return Map.of("input", Tensor.of(x, 1, x.length));
    }

    private static float[] output(ModelRuntime.Result r) {
        return (float[]) r.outputs().get("output").data();
    }

    private static SelfTest selfTest(TfliteMlp expected, double tolerance) {
        float[] x = V1.input(7);
        return new SelfTest(List.of(new SelfTest.Case(input(x), Map.of("output", Tensor.of(expected.run(x), 1, 3)))), tolerance);
    }

    @Test
    void servesATfliteModelWithTheReferenceOutputs() throws Exception {
        assertEquals(Optional.empty(), runtime.swap("mlp", "1.0.0", write("v1.tflite", V1.float32()), SelfTest.NONE));
        ModelRuntime.ModelInfo info = runtime.info("mlp").orElseThrow();
        assertEquals("tflite", info.runtime());
        assertEquals("input", info.inputs().get(0).name());
        assertEquals("float32", info.inputs().get(0).dtype());
        assertArrayEquals(new long[]{1, 8}, info.inputs().get(0).shape());
        assertEquals("output", info.outputs().get(0).name());
        for (long seed = 0; seed < 20; seed++) {
            float[] x = V1.input(seed);
            ModelRuntime.Result r = runtime.infer("mlp", input(x));
            assertEquals("1.0.0", r.version());
            assertArrayEquals(new long[]{1, 3}, r.outputs().get("output").shape());
            assertArrayEquals(V1.run(x), output(r), TOLERANCE, "input seed " + seed);
        }
    }

    @Test
    void theInt8ModelTakesAndGivesInt8() throws Exception {
        runtime.swap("mlp", "1.0.0", write("v1-int8.tflite", V1.int8()), SelfTest.NONE);
        ModelRuntime.ModelInfo info = runtime.info("mlp").orElseThrow();
        assertEquals("int8", info.inputs().get(0).dtype());
        assertEquals("int8", info.outputs().get(0).dtype());
        TfliteMlp.Int8Params q = V1.int8Params();
        float[] x = V1.input(3);
        byte[] xq = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            xq[i] = (byte) Math.max(-128, Math.min(127, Math.round(x[i] / q.inputScale()) + q.inputZeroPoint()));
        }
        byte[] y = (byte[]) runtime.infer("mlp", Map.of("input", new Tensor("int8", new long[]{1, 8}, xq))).outputs().get("output").data();
        float[] reference = V1.run(x);
        for (int i = 0; i < y.length; i++) {
            float dequantized = (y[i] - q.outputZeroPoint()) * q.outputScale();
            // Quantized arithmetic: within a few output steps of the float model.
            assertEquals(reference[i], dequantized, 4 * q.outputScale() + 0.02f * Math.abs(reference[i]), "output " + i);
        }
    }

    @Test
    void refusesBadRequestsBeforeTheInterpreterSeesThem() throws Exception {
        runtime.swap("mlp", "1.0.0", write("v1.tflite", V1.float32()), SelfTest.NONE);
        InferenceException wrongShape = assertThrows(InferenceException.class,
                () -> runtime.infer("mlp", Map.of("input", Tensor.of(new float[4], 1, 4))));
        assertEquals(InferenceException.Kind.BAD_INPUT, wrongShape.kind());
        InferenceException wrongType = assertThrows(InferenceException.class,
                () -> runtime.infer("mlp", Map.of("input", new Tensor("int64", new long[]{1, 8}, new long[8]))));
        assertEquals(InferenceException.Kind.BAD_INPUT, wrongType.kind());
        assertArrayEquals(V1.run(V1.input(1)), output(runtime.infer("mlp", input(V1.input(1)))), TOLERANCE);
    }

    @Test
    void theSelfTestPassesTheRightModelAndRefusesAnother() throws Exception {
        runtime.swap("mlp", "1.0.0", write("v1.tflite", V1.float32()), SelfTest.NONE);
        SwapException e = assertThrows(SwapException.class,
                () -> runtime.swap("mlp", "2.0.0", write("v2.tflite", V2.float32()), selfTest(V1, 1e-4)));
        assertEquals(SwapException.Stage.SELF_TEST, e.stage());
        assertEquals("1.0.0", runtime.infer("mlp", input(V1.input(0))).version());
        assertEquals(Optional.of("1.0.0"), runtime.swap("mlp", "2.0.0", write("v2b.tflite", V2.float32()), selfTest(V2, 1e-4)));
        assertArrayEquals(V2.run(V2.input(5)), output(runtime.infer("mlp", input(V2.input(5)))), TOLERANCE);
    }

    @Test
    void aCandidateTfliteCannotLoadLeavesTheOldVersionServing() throws Exception {
        runtime.swap("mlp", "1.0.0", write("v1.tflite", V1.float32()), SelfTest.NONE);
        byte[] truncated = java.util.Arrays.copyOf(V2.float32(), 200);
        SwapException e = assertThrows(SwapException.class, () -> runtime.swap("mlp", "2.0.0", write("v2.tflite", truncated), SelfTest.NONE));
        assertEquals(SwapException.Stage.LOAD, e.stage());
        assertTrue(e.getMessage().contains("TensorFlow Lite cannot load v2.tflite"), e.getMessage());
        // Nor is a file sent to a runtime that does not load its format.
        SwapException wrongRuntime = assertThrows(SwapException.class, () -> runtime.swap("mlp", "3.0.0",
                new ModelFile(write("v3.tflite", V2.float32()), "onnxruntime", "tflite"), SelfTest.NONE));
        assertTrue(wrongRuntime.getMessage().contains("does not load tflite"), wrongRuntime.getMessage());
        ModelRuntime.Result r = runtime.infer("mlp", input(V1.input(2)));
        assertEquals("1.0.0", r.version());
        assertArrayEquals(V1.run(V1.input(2)), output(r), TOLERANCE);
    }

    @Test
    void aModelMovesFromOnnxRuntimeToTfliteAndBack() throws Exception {
        runtime.swap("m", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 1, 1, 1, 1), SelfTest.NONE);
        assertEquals("onnxruntime", runtime.info("m").orElseThrow().runtime());
        runtime.swap("m", "2.0.0", write("v2.tflite", V2.float32()), SelfTest.NONE);
        assertEquals("tflite", runtime.info("m").orElseThrow().runtime());
        assertArrayEquals(V2.run(V2.input(9)), output(runtime.infer("m", input(V2.input(9)))), TOLERANCE);
        runtime.swap("m", "1.0.0", OnnxModels.addBias(dir.resolve("v1b.onnx"), 1, 1, 1, 1), SelfTest.NONE);
        assertEquals("onnxruntime", runtime.info("m").orElseThrow().runtime());
    }

    @Test
    void swapUnderLoadFailsNoRequest() throws Exception {
        runtime.swap("mlp", "1.0.0", write("v1.tflite", V1.float32()), SelfTest.NONE);
        float[] x = V1.input(11);
        Map<String, float[]> expected = Map.of("1.0.0", V1.run(x), "2.0.0", V2.run(x));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        Map<String, Long> byVersion = new ConcurrentHashMap<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        CountDownLatch started = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            clients.submit(() -> {
                started.countDown();
                while (!stop.get()) {
                    try {
                        ModelRuntime.Result r = runtime.infer("mlp", input(x));
                        assertArrayEquals(expected.get(r.version()), output(r), TOLERANCE, r.version());
                        byVersion.merge(r.version(), 1L, Long::sum);
                        ok.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            });
        }
        started.await();
        awaitAnswers(ok, 200, failures);
        assertEquals(Optional.of("1.0.0"), runtime.swap("mlp", "2.0.0", write("v2.tflite", V2.float32()), selfTest(V2, 1e-4)));
        awaitAnswers(ok, ok.get() + 200, failures);
        stop.set(true);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        assertEquals(List.of(), failures, "no request may fail during a swap");
        assertTrue(byVersion.get("1.0.0") > 0 && byVersion.get("2.0.0") > 0, byVersion.toString());
        assertEquals("2.0.0", runtime.infer("mlp", input(x)).version());
    }

    /** Waits, with a generous deadline, until {@code n} requests have been answered; failing requests end the wait. */
    private static void awaitAnswers(AtomicLong ok, long n, List<Throwable> failures) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (ok.get() < n && failures.isEmpty()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("only " + ok.get() + " of " + n + " requests answered");
            Thread.sleep(1);
        }
        assertEquals(List.of(), failures);
    }
}
