package dev.modelyard.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.config.DeviceProbe;
import dev.modelyard.device.config.UpdaterConfig;
import dev.modelyard.device.ddi.Updater;
import dev.modelyard.device.download.DownloadProgress;
import dev.modelyard.device.runtime.Engines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: what it prints, and what it says when something is missing. */
class MainTest {

    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path config() throws Exception {
        return Files.writeString(dir.resolve("updater.properties"), "server.url=http://127.0.0.1:9\ncontroller.id=cam-1\ntoken=t\n"
                + "trust.bundle=trust-bundle.json\ndata.dir=data\n");
    }

    @Test
    void aDeviceOfAnotherTenantIsToldToNameItsTenantWhenDownloadingTheRoot() throws Exception {
        Path config = Files.writeString(config(), "tenant=team-b\n", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(1, run("verify", "m.onnx", "m.onnx.release.json", "kws", "--config", config.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(
                "GET /api/v1/trust/roots/latest with the header Modelyard-Tenant: team-b (see README, Device setup)"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingTrustBundleSaysHowToMakeOne() throws Exception {
        assertEquals(1, run("verify", "m.onnx", "m.onnx.release.json", "kws", "--config", config().toString()));
        assertEquals("error: trust bundle " + dir.resolve("trust-bundle.json") + " (trust.bundle) not found: create it with"
                + " `modelyard trust-bundle --out trust-bundle.json 1.root.json …` from the root files, or download it from the"
                + " server: GET /api/v1/trust/roots/latest (see README, Device setup)\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTrustBundleThatIsNotOneSaysSo() throws Exception {
        Files.writeString(dir.resolve("trust-bundle.json"), "<html>not found</html>");
        assertEquals(1, run("run", "--config", config().toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error: trust bundle " + dir.resolve("trust-bundle.json")
                + " (trust.bundle) is not a valid trust bundle ("), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void statusShowsTheDownloadInProgress() throws Exception {
        Path conf = config();
        Updater.progressFile(dir.resolve("data/downloads")).write(new DownloadProgress.Snapshot("kws", "2.0.0", "kws.onnx",
                52_100_000, 117_000_000, 3_200_000, Instant.now()));
        assertEquals(0, run("status", "--config", conf.toString()));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("no models installed\ndownloading kws 2.0.0 (kws.onnx): 44% (52.1 MB of 117.0 MB) at 3.2 MB/s,"
                + " about 21s left (as of "), printed);
    }

    @Test
    void withoutTheDaemonTheLocalCommandsSaySo() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Path conf = Files.writeString(dir.resolve("updater.properties"), "server.url=http://127.0.0.1:9\ncontroller.id=cam-1\n"
                + "token=t\ntrust.bundle=trust-bundle.json\ndata.dir=data\napi.address=127.0.0.1:" + port + "\n");
        assertEquals(1, run("models", "--config", conf.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is the daemon running"), err.toString(StandardCharsets.UTF_8));
    }

    /** Debian's interpreter, the one with pyarmnn (see ExternalEngineTest). */
    static final String PYTHON = "/usr/bin/python3";
    static final Path ARMNN_WORKER = Path.of("dist/runtimes/armnn/modelyard_armnn_worker.py").toAbsolutePath();

    private UpdaterConfig configWith(String externalRuntime) throws Exception {
        // Generous start timeout: pyarmnn's import takes seconds on a busy machine.
        Path conf = Files.writeString(config(), "runtimes=onnxruntime,tflite\n" + externalRuntime
                + "external.armnn.formats=tflite\nexternal.armnn.start.timeout=120s\n",
                java.nio.file.StandardOpenOption.APPEND);
        return UpdaterConfig.load(conf);
    }

    @Test
    void anExternalRuntimeWhoseWorkerAnswersIsReportedWithTheVersionItGives() throws Exception {
        UpdaterConfig config = configWith(
                "external.armnn.command=" + PYTHON + " " + ARMNN_WORKER + " --backends CpuRef\n");
        try (Engines engines = Main.engines(config)) {
            Map<String, String> attributes = DeviceProbe.attributes(dir, engines);
            assertTrue(attributes.getOrDefault("runtime.armnn", "").matches("\\d+\\.\\d+\\.\\d+"), attributes.toString());
            assertEquals(Set.of("onnxruntime", "tflite", "armnn"), engines.versions().keySet());
            assertEquals(engines.versions().get("armnn"), DeviceProbe.facts(engines).runtimes().get("armnn"),
                    "the verifier accepts armnn targets too");
        }
    }

    @Test
    void anExternalRuntimeWhoseWorkerCannotStartIsLeftOutAndLoggedAndTheOthersStay() throws Exception {
        // A command that exits at once, before any hello.
        UpdaterConfig config = configWith("external.armnn.command=" + PYTHON + " -c pass\n");
        List<LogRecord> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger(Main.class.getName());
        log.addHandler(capture);
        try (Engines engines = Main.engines(config)) {
            assertEquals(Set.of("onnxruntime", "tflite"), engines.versions().keySet());
            Map<String, String> attributes = DeviceProbe.attributes(dir, engines);
            assertFalse(attributes.containsKey("runtime.armnn"), attributes.toString());
            assertTrue(attributes.containsKey("runtime.onnxruntime") && attributes.containsKey("runtime.tflite"), attributes.toString());
        } finally {
            log.removeHandler(capture);
        }
        assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.WARNING
                && r.getMessage().startsWith("external runtime armnn is not available and is not reported: ")), logged.toString());
    }
}
