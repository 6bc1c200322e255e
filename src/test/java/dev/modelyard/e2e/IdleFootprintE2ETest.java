package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.OnnxModels;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What keeps the idle updater small (bench/device/README.md): polling a plain-HTTP server,
 * reporting its attributes and answering health checks load neither a JSON binding, nor the JDK's
 * asynchronous HTTP client, nor TLS. They load when a deployment needs them, and it still installs.
 */
class IdleFootprintE2ETest {

    /** Packages an idle daemon must not load: each is hundreds of classes held in memory for nothing. */
    static final List<String> NOT_WHEN_IDLE = List.of("com.fasterxml.jackson.", "jdk.internal.net.http.", "sun.security.ssl.");

    @TempDir
    Path work;

    @Test
    void anIdleDaemonLoadsNoJsonBindingHttpClientOrTlsAndADeploymentStillInstalls() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_idle", Map.of(), "64m")) {
            rig.release("1.0.0", OnnxModels.addBias(1, 1, 1, 1));
            Path classes = work.resolve("classes.log");
            rig.startUpdater("-Xlog:class+load=info:file=" + classes);
            rig.awaitAttributes();
            // The first cycle done (poll and attributes reported): from here on the loop polls every second.
            rig.await("a poll answered", DeviceRig.WAIT, () -> rig.updaterLog().contains("next poll in"));
            HttpResponse<String> health = DeviceRig.HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + rig.apiPort + "/healthz")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"UP\",\"models\":0}", health.body());

            String idle = Files.readString(classes);
            assertTrue(idle.contains("] dev.modelyard.wire.ddi.DdiJson "), "the class log does not show the poll's codec: " + idle.length());
            for (String pkg : NOT_WHEN_IDLE) {
                assertTrue(!idle.contains("] " + pkg), "the idle daemon loaded " + pkg + "*: " + firstLine(idle, "] " + pkg));
            }

            rig.deploy("1.0.0");
            rig.awaitServed("1.0.0");
            String afterDeployment = Files.readString(classes);
            assertTrue(afterDeployment.contains("] com.fasterxml.jackson.databind.ObjectMapper "),
                    "the deployment was read without the JSON binding: this test no longer tells what it claims");
        }
    }

    private static String firstLine(String log, String needle) {
        int at = log.indexOf(needle);
        int end = log.indexOf('\n', at);
        return log.substring(log.lastIndexOf('\n', at) + 1, end < 0 ? log.length() : end);
    }
}
