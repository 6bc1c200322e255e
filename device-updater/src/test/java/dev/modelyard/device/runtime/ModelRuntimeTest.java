package dev.modelyard.device.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRuntimeTest {

    @TempDir
    Path dir;
    final ModelRuntime runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);

    @AfterEach
    void close() {
        runtime.close();
    }

    private static Map<String, Tensor> input() {
        return Map.of("x", Tensor.of(new float[]{1, 2, 3, 4}, 1, 4));
    }

    private static float[] y(ModelRuntime.Result r) {
        return (float[]) r.outputs().get("y").data();
    }

    @Test
    void servesAModelAndDescribesIt() throws Exception {
        assertTrue(runtime.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 10, 10, 10, 10), SelfTest.NONE).isEmpty());
        ModelRuntime.Result r = runtime.infer("kws", input());
        assertEquals("1.0.0", r.version());
        assertArrayEquals(new float[]{11, 12, 13, 14}, y(r));
        ModelRuntime.ModelInfo info = runtime.info("kws").orElseThrow();
        assertEquals("x", info.inputs().get(0).name());
        assertEquals("float32", info.inputs().get(0).dtype());
        assertArrayEquals(new long[]{-1, 4}, info.inputs().get(0).shape());
    }

    @Test
    void badRequestsAreRefusedWithAReason() throws Exception {
        runtime.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 0, 0, 0, 0), SelfTest.NONE);
        InferenceException unknown = assertThrows(InferenceException.class, () -> runtime.infer("other", input()));
        assertEquals(InferenceException.Kind.UNKNOWN_MODEL, unknown.kind());
        InferenceException missing = assertThrows(InferenceException.class, () -> runtime.infer("kws", Map.of()));
        assertEquals(InferenceException.Kind.BAD_INPUT, missing.kind());
        InferenceException wrongType = assertThrows(InferenceException.class,
                () -> runtime.infer("kws", Map.of("x", new Tensor("int64", new long[]{1, 4}, new long[4]))));
        assertTrue(wrongType.getMessage().contains("float32"));
        InferenceException wrongShape = assertThrows(InferenceException.class,
                () -> runtime.infer("kws", Map.of("x", Tensor.of(new float[3], 1, 3))));
        assertEquals(InferenceException.Kind.BAD_INPUT, wrongShape.kind());
    }

    @Test
    void swapUnderLoadFailsNoRequest() throws Exception {
        runtime.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 10, 10, 10, 10), SelfTest.NONE);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        Map<String, Long> byVersion = new ConcurrentHashMap<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        CountDownLatch started = new CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            clients.submit(() -> {
                started.countDown();
                while (!stop.get()) {
                    try {
                        ModelRuntime.Result r = runtime.infer("kws", input());
                        float expected = r.version().equals("1.0.0") ? 11 : 101;
                        if (y(r)[0] != expected) throw new AssertionError(r.version() + " answered " + y(r)[0]);
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
        assertEquals(java.util.Optional.of("1.0.0"),
                runtime.swap("kws", "2.0.0", OnnxModels.addBias(dir.resolve("v2.onnx"), 100, 100, 100, 100), SelfTest.NONE));
        long afterSwap = ok.get();
        awaitAnswers(ok, afterSwap + 200, failures);
        stop.set(true);
        clients.shutdown();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(List.of(), failures, "no request may fail during a swap");
        assertTrue(byVersion.get("1.0.0") > 0 && byVersion.get("2.0.0") > 0, byVersion.toString());
        assertEquals("2.0.0", runtime.infer("kws", input()).version());
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

    @Test
    void aCandidateThatFailsItsSelfTestNeverServes() throws Exception {
        runtime.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 10, 10, 10, 10), SelfTest.NONE);
        SelfTest expectsPlusOne = new SelfTest(List.of(new SelfTest.Case(input(),
                Map.of("y", Tensor.of(new float[]{2, 3, 4, 5}, 1, 4)))), 1e-5);
        SwapException e = assertThrows(SwapException.class,
                () -> runtime.swap("kws", "2.0.0", OnnxModels.addBias(dir.resolve("v2.onnx"), 100, 100, 100, 100), expectsPlusOne));
        assertEquals(SwapException.Stage.SELF_TEST, e.stage());
        assertTrue(e.getMessage().contains("expected 2.0"), e.getMessage());
        assertEquals("1.0.0", runtime.infer("kws", input()).version());
        // The same test passes for a model that really adds one.
        runtime.swap("kws", "3.0.0", OnnxModels.addBias(dir.resolve("v3.onnx"), 1, 1, 1, 1), expectsPlusOne);
        assertEquals("3.0.0", runtime.infer("kws", input()).version());
    }

    @Test
    void theCommitRunsBeforeTheNewSessionServesAndAFailedOneKeepsTheOld() throws Exception {
        runtime.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 10, 10, 10, 10), SelfTest.NONE);
        List<String> servedDuringCommit = new java.util.ArrayList<>();
        runtime.swap("kws", "2.0.0", OnnxModels.addBias(dir.resolve("v2.onnx"), 2, 2, 2, 2), SelfTest.NONE,
                () -> {
                    try {
                        servedDuringCommit.add(runtime.infer("kws", input()).version());
                    } catch (InferenceException e) {
                        throw new AssertionError(e);
                    }
                });
        assertEquals(List.of("1.0.0"), servedDuringCommit, "nothing is served before its commit");
        assertEquals("2.0.0", runtime.infer("kws", input()).version());

        java.io.IOException refused = assertThrows(java.io.IOException.class, () -> runtime.swap("kws", "3.0.0",
                OnnxModels.addBias(dir.resolve("v3.onnx"), 3, 3, 3, 3), SelfTest.NONE, () -> {
                    throw new java.io.IOException("disk full");
                }));
        assertEquals("disk full", refused.getMessage());
        assertEquals("2.0.0", runtime.infer("kws", input()).version());
    }

    @Test
    void anUnloadableCandidateLeavesTheRunningModel() throws Exception {
        runtime.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 10, 10, 10, 10), SelfTest.NONE);
        Path garbage = Files.write(dir.resolve("garbage.onnx"), new byte[]{1, 2, 3, 4, 5});
        SwapException e = assertThrows(SwapException.class, () -> runtime.swap("kws", "2.0.0", garbage, SelfTest.NONE));
        assertEquals(SwapException.Stage.LOAD, e.stage());
        assertEquals("1.0.0", runtime.infer("kws", input()).version());
        runtime.unload("kws");
        assertFalse(runtime.info("kws").isPresent());
    }

    @Test
    void aCandidateWhoseWarmUpWouldExceedTheBoundIsRefusedUnallocated() throws Exception {
        runtime.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 10, 10, 10, 10), SelfTest.NONE);
        Path huge = Files.write(dir.resolve("huge.onnx"), OnnxModels.identity(1, 50_000_000));
        SwapException e = assertThrows(SwapException.class, () -> runtime.swap("kws", "2.0.0", huge, SelfTest.NONE));
        assertEquals(SwapException.Stage.WARM_UP, e.stage());
        assertTrue(e.getMessage().contains("200000000 bytes") && e.getMessage().contains("warm-up bound"), e.getMessage());
        assertEquals("1.0.0", runtime.infer("kws", input()).version());
    }

    @Test
    void anOutOfMemoryErrorInWarmUpRefusesTheCandidateAndTheOldOneServes() throws Exception {
        // The tests run with a small heap (see the pom), far below the 8.6 GB this input needs.
        try (ModelRuntime unbounded = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1, Long.MAX_VALUE)) {
            unbounded.swap("kws", "1.0.0", OnnxModels.addBias(dir.resolve("v1.onnx"), 10, 10, 10, 10), SelfTest.NONE);
            Path huge = Files.write(dir.resolve("huge.onnx"), OnnxModels.identity(Integer.MAX_VALUE - 16));
            SwapException e = assertThrows(SwapException.class, () -> unbounded.swap("kws", "2.0.0", huge, SelfTest.NONE));
            assertEquals(SwapException.Stage.WARM_UP, e.stage());
            assertTrue(e.getCause() instanceof OutOfMemoryError && e.getMessage().contains("out of memory"), e.getMessage());
            assertEquals("1.0.0", unbounded.infer("kws", input()).version());
        }
    }

    @Test
    void statsCountModelFailuresButNotBadRequests() throws Exception {
        runtime.swap("kws", "1.0.0", Files.write(dir.resolve("one-row.onnx"), OnnxModels.addBiasOneRowOnly(1, 1, 1, 1)), SelfTest.NONE);
        for (int i = 0; i < 3; i++) runtime.infer("kws", input());
        InferenceException failed = assertThrows(InferenceException.class,
                () -> runtime.infer("kws", Map.of("x", Tensor.of(new float[8], 2, 4))));
        assertEquals(InferenceException.Kind.FAILED, failed.kind());
        InferenceException bad = assertThrows(InferenceException.class,
                () -> runtime.infer("kws", Map.of("x", Tensor.of(new float[3], 1, 3))));
        assertEquals(InferenceException.Kind.BAD_INPUT, bad.kind());
        ModelRuntime.Stats stats = runtime.stats("kws").orElseThrow();
        assertEquals(new ModelRuntime.Stats("1.0.0", 4, 1, 3, stats.p99Nanos(), stats.p50Nanos()), stats);
        assertTrue(stats.p99Nanos() > 0);
        assertTrue(stats.p50Nanos() > 0 && stats.p50Nanos() <= stats.p99Nanos(), stats.toString());
        runtime.swap("kws", "2.0.0", OnnxModels.addBias(dir.resolve("v2.onnx"), 2, 2, 2, 2), SelfTest.NONE);
        assertEquals(new ModelRuntime.Stats("2.0.0", 0, 0, 0, -1), runtime.stats("kws").orElseThrow());
    }

    @Test
    void theTestPerceptronAnswersItsBiasForZeros() throws Exception {
        Path mlp = Files.write(dir.resolve("mlp.onnx"), OnnxModels.mlp(4, 64, 2, 4, 1, 7));
        runtime.swap("kws", "1.0.0", mlp, SelfTest.NONE);
        assertArrayEquals(new float[]{7, 7, 7, 7, 7, 7, 7, 7},
                (float[]) runtime.infer("kws", Map.of("x", Tensor.of(new float[8], 2, 4))).outputs().get("y").data());
        float[] y = (float[]) runtime.infer("kws", input()).outputs().get("y").data();
        assertTrue(y[0] != 7 && y[0] != y[1], java.util.Arrays.toString(y));
    }
}
