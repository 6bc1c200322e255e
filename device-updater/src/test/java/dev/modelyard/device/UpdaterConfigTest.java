package dev.modelyard.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.config.UpdaterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdaterConfigTest {

    @Test
    void readsTheShippedExampleWithATokenFile(@TempDir Path dir) throws Exception {
        Path conf = Files.copy(Path.of("dist/updater.properties"), dir.resolve("updater.properties"));
        Files.writeString(dir.resolve("token"), "s3cret-token\n");
        UpdaterConfig c = UpdaterConfig.load(conf);
        assertEquals("TargetToken s3cret-token", c.authorization());
        assertEquals("camera-0042", c.controllerId());
        assertEquals(dir.resolve("trust-bundle.json"), c.trustBundle());
        assertEquals(8765, c.apiAddress().getPort());
        assertTrue(c.pollOverride().isEmpty());
        assertEquals(4096L * 1024 * 1024, c.maxDownloadBytes());
        assertEquals(dev.modelyard.device.health.HealthPolicy.DEFAULT, c.health());
        assertEquals(0, c.downloadBytesPerSecond());
        assertEquals(16L * 1024 * 1024, c.maxWarmUpBytes());
        assertTrue(c.deltaEnabled());
    }

    @Test
    void deltasAreOnUnlessTurnedOffAndTheSettingIsStrict(@TempDir Path dir) throws Exception {
        String base = "server.url=http://127.0.0.1:8080\ncontroller.id=cam-7\ntoken=t\ntrust.bundle=t.json\n";
        assertTrue(UpdaterConfig.load(Files.writeString(dir.resolve("a.properties"), base)).deltaEnabled());
        assertFalse(UpdaterConfig.load(Files.writeString(dir.resolve("b.properties"), base + "delta.enabled=false\n")).deltaEnabled());
        Path typo = Files.writeString(dir.resolve("c.properties"), base + "delta.enabled=no\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpdaterConfig.load(typo));
        assertTrue(e.getMessage().contains("delta.enabled: 'no' is not true or false"), e.getMessage());
    }

    @Test
    void runtimesDefaultToWhatThisArchitectureCanRunAndAreStrict(@TempDir Path dir) throws Exception {
        String base = "server.url=http://127.0.0.1:8080\ncontroller.id=cam-7\ntoken=t\ntrust.bundle=t.json\n";
        // The tests run on x86_64, where the updater carries TensorFlow Lite's natives.
        assertEquals(java.util.List.of("onnxruntime", "tflite"), UpdaterConfig.load(Files.writeString(dir.resolve("a.properties"), base)).runtimes());
        UpdaterConfig onnxOnly = UpdaterConfig.load(Files.writeString(dir.resolve("b.properties"), base + "runtimes=ONNXRuntime\n"));
        assertEquals(java.util.List.of("onnxruntime"), onnxOnly.runtimes());
        assertEquals(java.util.Map.of("onnxruntime", new dev.modelyard.device.runtime.onnx.OnnxEngine().version()),
                Main.engines(onnxOnly).versions(), "a disabled runtime is neither built nor reported");
        Path unknown = Files.writeString(dir.resolve("c.properties"), base + "runtimes=onnxruntime,armnn\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpdaterConfig.load(unknown));
        assertTrue(e.getMessage().contains("runtimes: 'armnn' is not a built-in runtime"), e.getMessage());
        Path noLibrary = Files.writeString(dir.resolve("d.properties"), base + "tflite.library=missing.so\n");
        e = assertThrows(IllegalArgumentException.class, () -> UpdaterConfig.load(noLibrary));
        assertTrue(e.getMessage().contains("tflite.library: " + dir.resolve("missing.so") + " is not a file"), e.getMessage());
    }

    @Test
    void overridesAndErrors(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("u.properties"),
                "server.url=http://127.0.0.1:8080\ncontroller.id=d1\ngateway.token=g\ntrust.bundle=t.json\npoll.override=30s\n"
                + "health.window=0s\nhealth.max.error.rate=0.2\ndownload.max.bytes.per.second=1000000\n"
                + "health.report.interval=PT0.5S\n");
        UpdaterConfig c = UpdaterConfig.load(conf);
        assertFalse(c.health().enabled());
        assertEquals(Duration.ofMillis(500), c.health().reportInterval());
        assertEquals(0.2, c.health().maxErrorRate());
        assertEquals(1_000_000, c.downloadBytesPerSecond());
        assertEquals("GatewayToken g", c.authorization());
        assertEquals(Duration.ofSeconds(30), c.pollOverride().orElseThrow());
        Path noToken = Files.writeString(dir.resolve("n.properties"), "server.url=x\ncontroller.id=d1\ntrust.bundle=t.json\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpdaterConfig.load(noToken));
        assertTrue(e.getMessage().contains("token"));
    }

    @Test
    void pushIsOffByDefaultAndListensAsTheControllerIdWhenSet(@TempDir Path dir) throws Exception {
        String base = "server.url=http://127.0.0.1:8080\ncontroller.id=cam-7\ntoken=t\ntrust.bundle=t.json\n";
        assertTrue(UpdaterConfig.load(Files.writeString(dir.resolve("off.properties"), base)).push().isEmpty());

        Files.writeString(dir.resolve("mqtt-password"), "pw\n");
        UpdaterConfig c = UpdaterConfig.load(Files.writeString(dir.resolve("on.properties"),
                base + "push.mqtt.url=ssl://broker:8883\npush.mqtt.password.file=mqtt-password\n"));
        assertEquals("ssl://broker:8883", c.push().orElseThrow().url());
        assertEquals("cam-7", c.push().orElseThrow().username());
        assertEquals("pw", new String(c.push().orElseThrow().password().orElseThrow()));
        UpdaterConfig named = UpdaterConfig.load(Files.writeString(dir.resolve("named.properties"),
                base + "push.mqtt.url=tcp://broker:1883\npush.mqtt.username=dev-7\n"));
        assertEquals("dev-7", named.push().orElseThrow().username());
        assertTrue(named.push().orElseThrow().password().isEmpty());

        Path http = Files.writeString(dir.resolve("http.properties"), base + "push.mqtt.url=http://broker\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpdaterConfig.load(http)).getMessage()
                .contains("push.mqtt.url: 'http://broker' is not an MQTT address"));
        Path noFile = Files.writeString(dir.resolve("nofile.properties"),
                base + "push.mqtt.url=tcp://broker:1883\npush.mqtt.password.file=absent\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpdaterConfig.load(noFile)).getMessage()
                .contains("push.mqtt.password.file: " + dir.resolve("absent") + " not found"));
    }

    @Test
    void pollingCanBeCapped(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("u.properties"),
                "server.url=http://127.0.0.1:8080\ncontroller.id=d1\ntoken=t\ntrust.bundle=t.json\npoll.max.interval=1m\n");
        UpdaterConfig c = UpdaterConfig.load(conf);
        assertEquals(Duration.ofMinutes(1), c.pollMaxInterval().orElseThrow());
        assertTrue(c.pollOverride().isEmpty());
    }

    @Test
    void everyProblemNamesTheFileTheKeyAndWhatToDo(@TempDir Path dir) throws Exception {
        assertEquals("configuration file " + dir.resolve("missing.properties") + " not found: create it from the example"
                + " updater.properties that comes with the updater (see README, Device setup) and give its path with --config",
                problem(dir.resolve("missing.properties")));
        String base = "controller.id=d1\ntrust.bundle=t.json\n";
        Path noServer = Files.writeString(dir.resolve("a.properties"), base + "token=t\n");
        assertEquals(noServer + ": server.url is not set: set it to the server's address, e.g. server.url=https://registry.example.com",
                problem(noServer));
        Path badServer = Files.writeString(dir.resolve("b.properties"), base + "token=t\nserver.url=registry:8080\n");
        assertEquals(badServer + ": server.url: 'registry:8080' is not an http(s) address like https://registry.example.com",
                problem(badServer));
        String ok = base + "server.url=http://127.0.0.1:8080\n";
        Path noTokenFile = Files.writeString(dir.resolve("c.properties"), ok + "token.file=token\n");
        assertTrue(problem(noTokenFile).startsWith(noTokenFile + ": token file " + dir.resolve("token")
                + " (token.file) not found: write into it the token the server issued"), problem(noTokenFile));
        Path badNumber = Files.writeString(dir.resolve("d.properties"), ok + "token=t\nthreads=two\n");
        assertEquals(badNumber + ": threads: 'two' is not a whole number", problem(badNumber));
        Path badDuration = Files.writeString(dir.resolve("e.properties"), ok + "token=t\nhealth.window=a minute\n");
        assertEquals(badDuration + ": health.window: 'a minute' is not a duration like 30s, 5m or 1h", problem(badDuration));
        Path zeroReports = Files.writeString(dir.resolve("f.properties"), ok + "token=t\nhealth.report.interval=0s\n");
        assertEquals(zeroReports + ": health.report.interval must be positive", problem(zeroReports));
    }

    private static String problem(Path conf) {
        return assertThrows(IllegalArgumentException.class, () -> UpdaterConfig.load(conf)).getMessage();
    }
}
