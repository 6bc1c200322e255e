package dev.modelyard.device.runtime.external;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.LoadedModel;
import dev.modelyard.device.runtime.SwapException;
import dev.modelyard.device.runtime.Tensor;
import dev.modelyard.testing.TfliteMlp;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ARM NN worker shipped with the updater, run for real through Debian's pyarmnn (the reference
 * backend on this architecture), against models written from the TFLite schema and their Java reference.
 */
class ExternalEngineTest {

    static final String PYTHON = "/usr/bin/python3";
    static final Path WORKER = Path.of("dist/runtimes/armnn/modelyard_armnn_worker.py");
    /** Generous: pyarmnn's import takes seconds on a busy machine, and nothing here waits on time otherwise. */
    static final Duration GENEROUS = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private final List<ExternalEngine> engines = new ArrayList<>();

    @AfterEach
    void closeEngines() {
        engines.forEach(ExternalEngine::close);
    }

    static ExternalRuntimeSettings armnn(int maxFrameMb) {
        return new ExternalRuntimeSettings("armnn", List.of(PYTHON, WORKER.toString(), "--backends", "CpuAcc,CpuRef"),
                Set.of("tflite"), GENEROUS, GENEROUS, GENEROUS, maxFrameMb * 1024 * 1024);
    }

    private ExternalEngine engine(ExternalRuntimeSettings settings) {
        ExternalEngine e = new ExternalEngine(settings);
        engines.add(e);
        return e;
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void reportsTheRuntimeAndTheVersionArmNnGivesWithoutKeepingAWorker() throws Exception {
        ExternalEngine engine = engine(armnn(64));
        assertEquals("armnn", engine.runtime());
        assertEquals(Set.of("tflite"), engine.formats());
        assertEquals(armNnVersion(), engine.version());
        assertEquals(List.of(), engine.workerPids(), "the version probe stops its worker again");
        assertEquals(List.of("CpuRef"), engine.backends(), "CpuAcc is skipped where Arm NN lacks it");
    }

    @Test
    void runsAFloat32ModelLikeTheReferenceAlsoWithRequestsInFlightTogether() throws Exception {
        TfliteMlp mlp = TfliteMlp.seeded(7, 8, 16, 4);
        ExternalEngine engine = engine(armnn(64));
        try (LoadedModel model = engine.load(write("mlp.tflite", mlp.float32()), 1)) {
            assertEquals(1, model.inputs().size());
            assertEquals("float32", model.inputs().get(0).dtype());
            assertArrayEquals(new long[] {1, 8}, model.inputs().get(0).shape());
            assertArrayEquals(new long[] {1, 4}, model.outputs().get(0).shape());
            String in = model.inputs().get(0).name(), out = model.outputs().get(0).name();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (long seed = 1; seed <= 40; seed++) {
                    long s = seed;
                    runs.add(pool.submit(() -> {
                        float[] x = mlp.input(s);
                        Tensor y = model.run(Map.of(in, Tensor.of(x, 1, 8))).get(out);
                        assertEquals("float32", y.dtype());
                        float[] expected = mlp.run(x), actual = (float[]) y.data();
                        for (int k = 0; k < expected.length; k++) assertEquals(expected[k], actual[k], 1e-5, "seed " + s + " output " + k);
                        return null;
                    }));
                }
                for (Future<?> f : runs) f.get(GENEROUS.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void runsAnInt8ModelBitForBitLikeTheIntegerReference() throws Exception {
        TfliteMlp mlp = TfliteMlp.seeded(11, 8, 16, 4);
        ExternalEngine engine = engine(armnn(64));
        try (LoadedModel model = engine.load(write("mlp-int8.tflite", mlp.int8()), 1)) {
            assertEquals("int8", model.inputs().get(0).dtype());
            assertEquals("int8", model.outputs().get(0).dtype());
            for (long seed = 1; seed <= 5; seed++) {
                byte[] q = mlp.quantizeInput(mlp.input(seed));
                Tensor y = model.run(Map.of(model.inputs().get(0).name(), new Tensor("int8", new long[] {1, 8}, q)))
                        .get(model.outputs().get(0).name());
                assertArrayEquals(mlp.runInt8(q), (byte[]) y.data(), "seed " + seed);
            }
        }
    }

    @Test
    void everyModelRunsInAWorkerOfItsOwnAndClosingOneStopsOnlyItsWorker() throws Exception {
        TfliteMlp old = TfliteMlp.seeded(21, 4, 8, 3), candidate = TfliteMlp.seeded(22, 4, 8, 3);
        ExternalEngine engine = engine(armnn(64));
        LoadedModel serving = engine.load(write("old.tflite", old.float32()), 1);
        long servingPid = ExternalEngine.workerPid(serving);
        try (LoadedModel next = engine.load(write("new.tflite", candidate.float32()), 1)) {
            long nextPid = ExternalEngine.workerPid(next);
            assertNotEquals(servingPid, nextPid);
            assertEquals(Set.of(servingPid, nextPid), Set.copyOf(engine.workerPids()));
            float[] x = old.input(4);
            String in = serving.inputs().get(0).name(), out = serving.outputs().get(0).name();
            assertEquals(old.run(x)[0], ((float[]) serving.run(Map.of(in, Tensor.of(x, 1, 4))).get(out).data())[0], 1e-5);
            assertEquals(candidate.run(x)[0], ((float[]) next.run(Map.of(in, Tensor.of(x, 1, 4))).get(out).data())[0], 1e-5);
            ProcessHandle servingWorker = ProcessHandle.of(servingPid).orElseThrow();
            serving.close();
            assertTrue(servingWorker.onExit().get(GENEROUS.toMillis(), TimeUnit.MILLISECONDS).pid() > 0, "closing a model stops its worker");
            assertEquals(List.of(nextPid), engine.workerPids());
            assertEquals(candidate.run(x)[2], ((float[]) next.run(Map.of(in, Tensor.of(x, 1, 4))).get(out).data())[2], 1e-5);
            InferenceException gone = assertThrows(InferenceException.class, () -> serving.run(Map.of(in, Tensor.of(x, 1, 4))));
            assertEquals(InferenceException.Kind.FAILED, gone.kind());
            assertTrue(gone.getMessage().contains("closed"), gone.getMessage());
        }
    }

    @Test
    void aMalformedModelIsALoadErrorNamingWhyAndItsWorkerIsStopped() throws Exception {
        ExternalEngine engine = engine(armnn(64));
        SwapException e = assertThrows(SwapException.class,
                () -> engine.load(write("bad.tflite", "not a flatbuffer at all".getBytes(StandardCharsets.UTF_8)), 1));
        assertEquals(SwapException.Stage.LOAD, e.stage());
        assertTrue(e.getMessage().contains("load_failed") && e.getMessage().contains("bad.tflite"), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("flatbuffers"), e.getMessage());
        assertEquals(List.of(), engine.workerPids(), "a refused model leaves no worker behind");
        TfliteMlp mlp = TfliteMlp.seeded(3, 4, 4, 2);
        try (LoadedModel model = engine.load(write("good.tflite", mlp.float32()), 1)) {
            float[] x = mlp.input(1);
            float[] y = (float[]) model.run(Map.of(model.inputs().get(0).name(), Tensor.of(x, 1, 4))).get(model.outputs().get(0).name()).data();
            assertEquals(mlp.run(x)[0], y[0], 1e-5);
        }
    }

    @Test
    void anInputOfTheWrongTypeIsBadInput() throws Exception {
        TfliteMlp mlp = TfliteMlp.seeded(3, 4, 4, 2);
        ExternalEngine engine = engine(armnn(64));
        try (LoadedModel model = engine.load(write("m.tflite", mlp.float32()), 1)) {
            InferenceException e = assertThrows(InferenceException.class,
                    () -> model.run(Map.of(model.inputs().get(0).name(), new Tensor("int32", new long[] {1, 4}, new int[4]))));
            assertEquals(InferenceException.Kind.BAD_INPUT, e.kind());
            assertTrue(e.getMessage().contains("bad_input"), e.getMessage());
        }
    }

    @Test
    void aKilledWorkerFailsTheRequestInFlightAtOnceAndIsReaped() throws Exception {
        TfliteMlp mlp = TfliteMlp.seeded(5, 8, 16, 4);
        ExternalEngine engine = engine(armnn(64));
        LoadedModel first = engine.load(write("m.tflite", mlp.float32()), 1);
        String in = first.inputs().get(0).name();
        long pid = ExternalEngine.workerPid(first);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            // Clients keep requests coming until one fails (or the test stops them): the request the
            // kill meets must fail with FAILED, none may hang (later ones may meet the restarted worker).
            List<Future<InferenceException>> clients = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                clients.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try {
                            first.run(Map.of(in, Tensor.of(mlp.input(1), 1, 8)));
                        } catch (InferenceException e) {
                            return e;
                        }
                    }
                    return null;
                }));
            }
            first.run(Map.of(in, Tensor.of(mlp.input(1), 1, 8)));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            InferenceException failed = null;
            long deadline = System.nanoTime() + GENEROUS.toNanos();
            while (failed == null) {
                assertTrue(System.nanoTime() < deadline, "no request failed after the worker was killed");
                for (Future<InferenceException> f : clients) {
                    if (f.isDone() && f.get() != null) failed = f.get();
                }
                Thread.sleep(10);
            }
            stop.set(true);
            for (Future<InferenceException> f : clients) {
                InferenceException e = f.get(GENEROUS.toMillis(), TimeUnit.MILLISECONDS);
                if (e != null) assertEquals(InferenceException.Kind.FAILED, e.kind(), e.getMessage());
            }
            assertEquals(InferenceException.Kind.FAILED, failed.kind());
            assertTrue(failed.getMessage().contains("worker exited"), failed.getMessage());
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "the dead worker is reaped");
        first.close();
    }

    @Test
    void aFrameOverTheLimitIsRefusedBeforeItIsSentAndTheWorkerServesOn() throws Exception {
        TfliteMlp mlp = TfliteMlp.seeded(3, 4, 4, 2);
        ExternalEngine engine = engine(armnn(1));
        try (LoadedModel model = engine.load(write("m.tflite", mlp.float32()), 1)) {
            String in = model.inputs().get(0).name();
            long pid = ExternalEngine.workerPid(model);
            InferenceException e = assertThrows(InferenceException.class,
                    () -> model.run(Map.of(in, Tensor.of(new float[300_000], 1, 300_000))));
            assertEquals(InferenceException.Kind.BAD_INPUT, e.kind());
            assertTrue(e.getMessage().contains("exceeds the limit of 1048576 bytes"), e.getMessage());
            float[] x = mlp.input(1);
            float[] y = (float[]) model.run(Map.of(in, Tensor.of(x, 1, 4))).get(model.outputs().get(0).name()).data();
            assertEquals(mlp.run(x)[1], y[1], 1e-5);
            assertEquals(pid, ExternalEngine.workerPid(model));
        }
    }

    @Test
    void aResultOverTheUpdatersLimitIsAnErrorForThatRequestAndTheWorkerServesOn() throws Exception {
        // 300,000 float outputs: 1.2 MB, over the updater's 1 MiB; the worker's own limit is its default, 16 MiB.
        TfliteMlp wide = TfliteMlp.seeded(9, 4, 2, 300_000);
        ExternalEngine engine = engine(armnn(1));
        try (LoadedModel model = engine.load(write("wide.tflite", wide.float32()), 1)) {
            long pid = ExternalEngine.workerPid(model);
            String in = model.inputs().get(0).name();
            for (int attempt = 0; attempt < 2; attempt++) {
                InferenceException e = assertThrows(InferenceException.class, () -> model.run(Map.of(in, Tensor.of(wide.input(1), 1, 4))));
                assertEquals(InferenceException.Kind.FAILED, e.kind());
                assertTrue(e.getMessage().contains("frame_too_large") && e.getMessage().contains("1048576"), e.getMessage());
                assertEquals(pid, ExternalEngine.workerPid(model), "the worker kept running");
            }
        }
    }

    @Test
    void theWorkerAnswersAPingAndRefusesAnOversizedFrameWithAnErrorAndStops() throws Exception {
        Process p = new ProcessBuilder(PYTHON, WORKER.toString(), "--max-frame-mb", "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            DataInputStream in = Frame.input(p.getInputStream());
            Frame hello = Frame.read(in, 1 << 20);
            assertEquals("hello", hello.type());
            assertEquals(1 << 20, hello.header().path("maxFrameBytes").asInt());
            OutputStream out = p.getOutputStream();
            new Frame(Frame.JSON.createObjectNode().put("type", "ping").put("id", 7)).write(out, 1 << 20);
            Frame pong = Frame.read(in, 1 << 20);
            assertEquals("pong", pong.type());
            assertEquals(7, pong.id());
            out.write(ByteBuffer.allocate(8).putInt(2).putInt(2 << 20).array());
            out.flush();
            Frame error = Frame.read(in, 1 << 20);
            assertEquals("error", error.type());
            assertEquals("frame_too_large", error.header().path("code").asText());
            assertTrue(p.waitFor(GENEROUS.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(2, p.exitValue());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theWorkerRefusesAHeaderThatIsNotJsonAndStops() throws Exception {
        Process p = new ProcessBuilder(PYTHON, WORKER.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            DataInputStream in = Frame.input(p.getInputStream());
            assertEquals("hello", Frame.read(in, 1 << 20).type());
            byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);
            OutputStream out = p.getOutputStream();
            out.write(ByteBuffer.allocate(8).putInt(garbage.length).putInt(0).array());
            out.write(garbage);
            out.flush();
            Frame error = Frame.read(in, 1 << 20);
            assertEquals("bad_frame", error.header().path("code").asText());
            assertEquals(-1, error.id());
            assertTrue(p.waitFor(GENEROUS.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(2, p.exitValue());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aWorkerThatCannotStartOrNeverSaysHelloIsALoadErrorNamingTheSetting() throws Exception {
        Path model = write("m.tflite", TfliteMlp.seeded(3, 4, 4, 2).float32());
        ExternalEngine missing = engine(new ExternalRuntimeSettings("armnn", List.of(dir.resolve("no-such-worker").toString()),
                Set.of("tflite"), GENEROUS, GENEROUS, GENEROUS, 1 << 20));
        SwapException e = assertThrows(SwapException.class, () -> missing.load(model, 1));
        assertTrue(e.getMessage().contains("external.armnn.command"), e.getMessage());

        ExternalEngine exits = engine(new ExternalRuntimeSettings("armnn", List.of(PYTHON, "-c", "import sys; sys.exit(3)"),
                Set.of("tflite"), GENEROUS, GENEROUS, GENEROUS, 1 << 20));
        e = assertThrows(SwapException.class, () -> exits.load(model, 1));
        assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());

        // Never says hello (it waits for input that never comes): the start deadline ends it.
        ExternalEngine silent = engine(new ExternalRuntimeSettings("armnn", List.of(PYTHON, "-c", "import sys; sys.stdin.read()"),
                Set.of("tflite"), Duration.ofSeconds(1), GENEROUS, GENEROUS, 1 << 20));
        e = assertThrows(SwapException.class, () -> silent.load(model, 1));
        assertTrue(e.getMessage().contains("external.armnn.start.timeout"), e.getMessage());
        assertEquals(List.of(), silent.workerPids());
    }

    @Test
    void closingTheEngineStopsTheWorker() throws Exception {
        ExternalEngine engine = engine(armnn(64));
        LoadedModel model = engine.load(write("m.tflite", TfliteMlp.seeded(3, 4, 4, 2).float32()), 1);
        ProcessHandle worker = ProcessHandle.of(ExternalEngine.workerPid(model)).orElseThrow();
        engine.close();
        assertTrue(worker.onExit().get(GENEROUS.toMillis(), TimeUnit.MILLISECONDS).pid() > 0);
        assertEquals(List.of(), engine.workerPids());
        model.close();
        assertThrows(SwapException.class, () -> engine.load(dir.resolve("m.tflite"), 1));
    }

    private static String armNnVersion() throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", "import pyarmnn; print(pyarmnn.GetVersion())")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(GENEROUS.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(out.matches("\\d+\\.\\d+\\.\\d+"), out);
        return out;
    }
}
