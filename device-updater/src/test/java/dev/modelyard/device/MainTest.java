package dev.modelyard.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.ddi.Updater;
import dev.modelyard.device.download.DownloadProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
}
