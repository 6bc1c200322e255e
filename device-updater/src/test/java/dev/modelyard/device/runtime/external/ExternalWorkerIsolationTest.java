package dev.modelyard.device.runtime.external;

import static dev.modelyard.device.runtime.external.ExternalEngineTest.GENEROUS;
import static dev.modelyard.device.runtime.external.ExternalEngineTest.armnn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.runtime.Engine;
import dev.modelyard.device.runtime.Engines;
import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.LoadedModel;
import dev.modelyard.device.runtime.ModelFile;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.ModelRuntime.TensorSpec;
import dev.modelyard.device.runtime.SelfTest;
import dev.modelyard.device.runtime.SwapException;
import dev.modelyard.device.runtime.Tensor;
import dev.modelyard.testing.TfliteMlp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each model in a worker of its own, through the runtime that hot-swaps them: whatever happens to a
 * candidate's worker, the served version keeps answering; a served model whose worker died comes
 * back on a later request, at most once per restart interval. The real ARM NN worker throughout.
 */
class ExternalWorkerIsolationTest {

    static final TfliteMlp V1 = TfliteMlp.seeded(31, 4, 8, 3);
    static final TfliteMlp V2 = TfliteMlp.seeded(32, 4, 8, 3);

    @TempDir
    Path dir;

    private final StepClock clock = new StepClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ExternalEngine armnn = new ExternalEngine(armnn(16), clock);

    @AfterEach
    void closeEngine() {
        armnn.close();
    }

    @Test
    void aCandidateWhoseWorkerIsKilledDuringItsSelfTestIsRefusedAndTheServedVersionKeepsAnswering() throws Exception {
        // The candidate's worker is killed (SIGKILL, as a crash in Arm NN ends it) at its second run:
        // the warm-up is the first, so the kill lands in the self-test.
        KillsAtRun engine = new KillsAtRun(armnn);
        try (ModelRuntime runtime = new ModelRuntime(new Engines(List.of(engine)), 1)) {
            runtime.swap("mlp", "1.0.0", file("v1.tflite", V1.float32()), SelfTest.NONE);
            float[] x = V1.input(7);
            engine.killAtRun.set(2);
            SwapException e = assertThrows(SwapException.class,
                    () -> runtime.swap("mlp", "2.0.0", file("v2.tflite", V2.float32()), selfTest(V2, x)));
            assertEquals(SwapException.Stage.SELF_TEST, e.stage(), e.getMessage());
            assertTrue(e.getMessage().contains("worker exited"), e.getMessage());
            assertEquals(1, engine.killed.get());

            ModelRuntime.Result r = runtime.infer("mlp", Map.of("input", Tensor.of(x, 1, 4)));
            assertEquals("1.0.0", r.version());
            assertEquals(V1.run(x)[1], ((float[]) r.outputs().get("output").data())[1], 1e-5);
            assertEquals(1, armnn.workerPids().size(), "the candidate's worker is gone, the served one runs");
        }
    }

    @Test
    void aCandidateThatFailsToLoadLeavesTheServedVersionAndItsWorkerAlone() throws Exception {
        try (ModelRuntime runtime = new ModelRuntime(new Engines(List.of(armnn)), 1)) {
            runtime.swap("mlp", "1.0.0", file("v1.tflite", V1.float32()), SelfTest.NONE);
            List<Long> serving = armnn.workerPids();
            SwapException e = assertThrows(SwapException.class, () -> runtime.swap("mlp", "2.0.0",
                    file("v2.tflite", "not a flatbuffer".getBytes(StandardCharsets.UTF_8)), SelfTest.NONE));
            assertEquals(SwapException.Stage.LOAD, e.stage());
            assertTrue(e.getMessage().contains("load_failed"), e.getMessage());
            assertEquals(serving, armnn.workerPids());
            float[] x = V1.input(3);
            ModelRuntime.Result r = runtime.infer("mlp", Map.of("input", Tensor.of(x, 1, 4)));
            assertEquals("1.0.0", r.version());
            assertEquals(V1.run(x)[0], ((float[]) r.outputs().get("output").data())[0], 1e-5);
        }
    }

    @Test
    void aServedModelWhoseWorkerDiedFailsOnceThenRestartsItAtMostOncePerInterval() throws Exception {
        try (ModelRuntime runtime = new ModelRuntime(new Engines(List.of(armnn)), 1)) {
            runtime.swap("mlp", "1.0.0", file("v1.tflite", V1.float32()), SelfTest.NONE);
            float[] x = V1.input(5);
            long first = killTheOnlyWorker();

            // The death costs a FAILED request (the health window counts it); the next one restarts the worker.
            InferenceException died = assertThrows(InferenceException.class, () -> infer(runtime, x));
            assertEquals(InferenceException.Kind.FAILED, died.kind());
            assertTrue(died.getMessage().contains("worker exited"), died.getMessage());
            assertEquals(V1.run(x)[2], infer(runtime, x)[2], 1e-5);
            long second = armnn.workerPids().get(0);
            assertNotEquals(first, second);

            // Dies again within the interval: no new attempt until it has passed.
            killTheOnlyWorker();
            assertEquals(InferenceException.Kind.FAILED, assertThrows(InferenceException.class, () -> infer(runtime, x)).kind());
            InferenceException waiting = assertThrows(InferenceException.class, () -> infer(runtime, x));
            assertEquals(InferenceException.Kind.FAILED, waiting.kind());
            assertTrue(waiting.getMessage().contains("next restart attempt"), waiting.getMessage());
            assertEquals(List.of(), armnn.workerPids());

            clock.advance(ExternalModel.RESTART_INTERVAL);
            assertEquals(V1.run(x)[0], infer(runtime, x)[0], 1e-5);
            assertEquals(1, armnn.workerPids().size());
            ModelRuntime.Stats stats = runtime.stats("mlp").orElseThrow();
            assertEquals(3, stats.errors(), "every failed request counts for the health window: " + stats);
            assertEquals(5, stats.requests(), stats.toString());
        }
    }

    @Test
    void aRestartThatCannotReloadTheFileCountsAsFailedAndWaitsForTheInterval() throws Exception {
        Path v1 = file("v1.tflite", V1.float32()).path();
        LoadedModel model = armnn.load(v1, 1);
        try {
            Files.writeString(v1, "gone bad on disk");
            killTheOnlyWorker();
            float[] x = V1.input(1);
            assertEquals(InferenceException.Kind.FAILED, assertThrows(InferenceException.class, () -> run(model, x)).kind());
            InferenceException reload = assertThrows(InferenceException.class, () -> run(model, x));
            assertEquals(InferenceException.Kind.FAILED, reload.kind());
            assertTrue(reload.getMessage().contains("restarting it failed") && reload.getMessage().contains("load_failed"),
                    reload.getMessage());
            assertEquals(List.of(), armnn.workerPids(), "the worker that could not load is stopped");
            assertTrue(assertThrows(InferenceException.class, () -> run(model, x)).getMessage().contains("next restart attempt"));

            Files.write(v1, V1.float32());
            clock.advance(ExternalModel.RESTART_INTERVAL);
            assertEquals(V1.run(x)[1], run(model, x)[1], 1e-5);
        } finally {
            model.close();
        }
    }

    private long killTheOnlyWorker() throws Exception {
        List<Long> pids = armnn.workerPids();
        assertEquals(1, pids.size(), pids.toString());
        ProcessHandle worker = ProcessHandle.of(pids.get(0)).orElseThrow();
        worker.destroyForcibly();
        worker.onExit().get(GENEROUS.toMillis(), TimeUnit.MILLISECONDS);
        return pids.get(0);
    }

    private static float[] infer(ModelRuntime runtime, float[] x) throws InferenceException {
        return (float[]) runtime.infer("mlp", Map.of("input", Tensor.of(x, 1, 4))).outputs().get("output").data();
    }

    private static float[] run(LoadedModel model, float[] x) throws InferenceException {
        return (float[]) model.run(Map.of(model.inputs().get(0).name(), Tensor.of(x, 1, 4))).get(model.outputs().get(0).name()).data();
    }

    private static SelfTest selfTest(TfliteMlp expected, float[] x) {
        return new SelfTest(List.of(new SelfTest.Case(Map.of("input", Tensor.of(x, 1, 4)),
                Map.of("output", Tensor.of(expected.run(x), 1, 3)))), 1e-4);
    }

    private ModelFile file(String name, byte[] bytes) throws Exception {
        return new ModelFile(Files.write(dir.resolve(name), bytes), "armnn", "tflite");
    }

    /**
     * The ARM NN engine, except that the model it loads while armed has its real worker killed
     * at the given run (counted from 1), before the run is sent: a crash the run then meets.
     */
    static final class KillsAtRun implements Engine {
        final ExternalEngine engine;
        final AtomicInteger killAtRun = new AtomicInteger();
        final AtomicInteger killed = new AtomicInteger();

        KillsAtRun(ExternalEngine engine) {
            this.engine = engine;
        }

        @Override
        public String runtime() {
            return engine.runtime();
        }

        @Override
        public String version() {
            return engine.version();
        }

        @Override
        public Set<String> formats() {
            return engine.formats();
        }

        @Override
        public LoadedModel load(Path file, int threads) throws SwapException {
            LoadedModel model = engine.load(file, threads);
            int at = killAtRun.getAndSet(0);
            if (at == 0) return model;
            AtomicInteger runs = new AtomicInteger();
            return new LoadedModel() {
                @Override
                public List<TensorSpec> inputs() {
                    return model.inputs();
                }

                @Override
                public List<TensorSpec> outputs() {
                    return model.outputs();
                }

                @Override
                public Map<String, Tensor> run(Map<String, Tensor> inputs) throws InferenceException {
                    if (runs.incrementAndGet() == at) {
                        ProcessHandle worker = ProcessHandle.of(ExternalEngine.workerPid(model)).orElseThrow();
                        worker.destroyForcibly();
                        worker.onExit().join();
                        killed.incrementAndGet();
                    }
                    return model.run(inputs);
                }

                @Override
                public void close() {
                    model.close();
                }
            };
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    /** A clock the test moves by hand, so the restart interval is passed without waiting for it. */
    static final class StepClock extends Clock {
        private volatile Instant now;

        StepClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
