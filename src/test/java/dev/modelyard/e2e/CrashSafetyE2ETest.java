package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A crash or a dropped connection halfway through an upload leaves nothing visible, and what
 * it left on disk is collected. The server runs with a short collection grace period.
 */
class CrashSafetyE2ETest {

    static final long SIZE = 256L * 1024 * 1024;

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_crash", "128m", Map.of(
            "MODELYARD_STORAGE_GC_GRACE", "PT2S",
            "MODELYARD_STORAGE_GC_INTERVAL", "1s"));

    /** Starts an upload, sends {@code sendBytes} of it, then runs {@code cut} while the request is open. */
    private static void interruptedUpload(String path, long sendBytes, Runnable cut) throws IOException {
        HttpURLConnection c = server.partialUpload(path, SIZE, 3, sendBytes);
        awaitStagingBytes(sendBytes / 2);
        cut.run();
        c.disconnect();
    }

    @Test
    void serverKilledMidUploadRestartsWithNothingVisibleAndLeftoversCollected() throws Exception {
        ModelyardClient api = server.admin();
        Fixtures.model(api, "crash-model");
        api.versions().create("crash-model", Versions.NewVersion.of("1.0.0"));

        interruptedUpload("/api/v1/models/crash-model/versions/1.0.0/artifacts/m.bin", SIZE / 2, () -> {
            try {
                server.process().kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(stagingBytes() > 0, "the killed upload left a partial staging file");

        server.process().restart();
        assertEquals(0, api.artifacts().list("crash-model", "1.0.0", Artifacts.Filter.all()).total());
        assertEquals(0, count("SELECT count(*) FROM artifact"));
        assertEquals(0, count("SELECT count(*) FROM blob"));
        awaitNoStaging(ServerProcess.WAIT);

        // The same upload, retried whole, works.
        String sha = PatternStream.sha256Hex(SIZE, 3);
        assertEquals(sha, api.artifacts().put("crash-model", "1.0.0", "m.bin", Artifacts.target("bin"),
                () -> new PatternStream(SIZE, 3), SIZE, sha, null).sha256());
    }

    @Test
    void clientDroppingTheConnectionLeavesNothing() throws Exception {
        ModelyardClient api = server.admin();
        Fixtures.model(api, "dropped-model");
        api.versions().create("dropped-model", Versions.NewVersion.of("1.0.0"));
        long blobsBefore = count("SELECT count(*) FROM blob");

        interruptedUpload("/api/v1/models/dropped-model/versions/1.0.0/artifacts/m.bin", SIZE / 4, () -> { });

        awaitNoStaging(ServerProcess.WAIT);
        assertEquals(0, api.artifacts().list("dropped-model", "1.0.0", Artifacts.Filter.all()).total());
        assertEquals(blobsBefore, count("SELECT count(*) FROM blob"));
        assertFalse(server.process().log().contains("Exception in"), "no unhandled exception in the server log");
    }

    private static long stagingBytes() throws IOException {
        Path staging = server.data().resolve("staging");
        if (!Files.isDirectory(staging)) return 0;
        try (Stream<Path> files = Files.list(staging)) {
            return files.filter(p -> p.toString().endsWith(".part")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void awaitStagingBytes(long atLeast) throws IOException {
        Instant deadline = Instant.now().plus(ServerProcess.WAIT);
        while (stagingBytes() < atLeast && Instant.now().isBefore(deadline)) {
            ServerProcess.pause(50);
        }
    }

    private static void awaitNoStaging(Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (stagingBytes() > 0 && Instant.now().isBefore(deadline)) {
            ServerProcess.pause(200);
        }
        assertEquals(0, stagingBytes(), "staging leftovers are removed");
    }

    private static long count(String sql) throws Exception {
        try (Connection c = server.db().connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
