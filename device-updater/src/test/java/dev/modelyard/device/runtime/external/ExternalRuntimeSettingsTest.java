package dev.modelyard.device.runtime.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.config.UpdaterConfig;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalRuntimeSettingsTest {

    private static final String BASE = "server.url=http://127.0.0.1:8080\ncontroller.id=cam-7\ntoken=t\ntrust.bundle=t.json\n";

    @TempDir
    Path dir;

    private UpdaterConfig load(String extra) throws Exception {
        return UpdaterConfig.load(Files.writeString(dir.resolve("u.properties"), BASE + extra));
    }

    @Test
    void noExternalRuntimeUnlessConfigured() throws Exception {
        assertEquals(List.of(), load("").externalRuntimes());
    }

    @Test
    void theShippedExampleReadsOnceUncommented() throws Exception {
        String example = Files.readString(Path.of("dist/updater.properties")).replace("#external.", "external.");
        Properties p = new Properties();
        p.load(new StringReader(example));
        ExternalRuntimeSettings armnn = ExternalRuntimeSettings.from(p, (key, text) -> Duration.ofSeconds(
                Long.parseLong(text.substring(0, text.length() - 1)))).get(0);
        assertEquals("armnn", armnn.runtime());
        assertEquals(List.of("/usr/bin/python3", "/usr/share/modelyard/runtimes/armnn/modelyard_armnn_worker.py", "--backends",
                "CpuAcc,CpuRef"), armnn.command());
        assertEquals(Set.of("tflite"), armnn.formats());
        assertEquals(Duration.ofSeconds(60), armnn.startTimeout());
        assertEquals(Duration.ofSeconds(120), armnn.loadTimeout());
        assertEquals(Duration.ofSeconds(30), armnn.runTimeout());
        assertEquals(16 * 1024 * 1024, armnn.maxFrameBytes());
    }

    @Test
    void timeoutsTakeTheFilesDurationsAndFramesDefaultTo16MbWellBelowTheUpdatersHeap() throws Exception {
        ExternalRuntimeSettings s = load("external.npu.command=/opt/npu/worker --fast\nexternal.npu.formats=tflite, NPUBIN\n"
                + "external.npu.run.timeout=2m\n").externalRuntimes().get(0);
        assertEquals(List.of("/opt/npu/worker", "--fast"), s.command());
        assertEquals(Set.of("tflite", "npubin"), s.formats());
        assertEquals(Duration.ofMinutes(2), s.runTimeout());
        assertEquals(16 * 1024 * 1024, s.maxFrameBytes());
    }

    @Test
    void mistakesNameTheKeyAndWhatToDo() {
        assertMessage("external.armnn.formats=tflite\n", "external.armnn.command is not set");
        assertMessage("external.armnn.command=w\n", "external.armnn.formats is empty");
        assertMessage("external.armnn.command=w\nexternal.armnn.formats=tflite\nexternal.armnn.timeout=5s\n",
                "external.armnn.timeout is not a setting");
        assertMessage("external.armnn.command=w\nexternal.armnn.formats=tflite\nexternal.armnn.max.frame.mb=0\n",
                "external.armnn.max.frame.mb: 0 is outside 1..1024");
        assertMessage("external.armnn.command=w\nexternal.armnn.formats=tflite\nexternal.armnn.run.timeout=soon\n",
                "external.armnn.run.timeout: 'soon' is not a duration");
        assertMessage("external.ArmNN.command=w\n", "a runtime name is lower-case letters");
    }

    private void assertMessage(String extra, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(extra));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
