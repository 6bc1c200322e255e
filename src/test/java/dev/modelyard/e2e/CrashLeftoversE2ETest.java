package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a killed server left in staging and in the upload sessions is gone right after it starts
 * again, with the garbage collector's default grace (an hour) still far away; a resumable upload
 * whose bytes survived goes on where it was.
 */
class CrashLeftoversE2ETest {

    static final long SIZE = 64L * 1024 * 1024;
    static final byte[] KEPT_BYTES = {1, 2, 3, 4, 5};

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_leftovers", "128m", Map.of());

    @Test
    void leftoversGoAtStartAndSurvivingUploadsResume() throws Exception {
        ModelyardClient api = server.admin();
        Fixtures.model(api, "leftover-model");
        api.versions().create("leftover-model", Versions.NewVersion.of("1.0.0"));
        Artifacts.Upload kept = openWithBytes(api, "kept.bin");
        Artifacts.Upload lost = openWithBytes(api, "lost.bin");

        interruptedUploadThenKill("/api/v1/models/leftover-model/versions/1.0.0/artifacts/big.bin");
        Path staging = server.data().resolve("staging");
        assertTrue(partFiles(staging, "upload-") > 0, "the killed upload left a partial staging file");
        // While the server is down: the disk loses one session's bytes; other crashes left more.
        Files.delete(staging.resolve("session-" + lost.id() + ".part"));
        Path orphan = Files.write(staging.resolve("session-" + UUID.randomUUID() + ".part"), new byte[]{9});
        Path form = Files.write(Files.createDirectories(staging.resolve("multipart")).resolve(UUID.randomUUID().toString()), new byte[]{9});

        server.process().restart();
        Instant deadline = Instant.now().plus(ServerProcess.WAIT);
        while ((partFiles(staging, "upload-") > 0 || Files.exists(orphan) || Files.exists(form)) && Instant.now().isBefore(deadline)) {
            ServerProcess.pause(100);
        }
        String log = server.process().log();
        String tail = log.substring(Math.max(0, log.length() - 4000));
        assertEquals(0, partFiles(staging, "upload-"), "the killed upload's staging file; server log:\n" + tail);
        assertTrue(!Files.exists(orphan) && !Files.exists(form),
                "a session's data without a session, a form upload's file; server log:\n" + tail);
        ModelyardClient restarted = server.admin();
        assertEquals("upload-not-found", Fixtures.refused(() -> restarted.artifacts().uploadOffset(lost)).code(),
                "a session whose bytes are gone");

        assertEquals(KEPT_BYTES.length, restarted.artifacts().uploadOffset(kept));
        assertEquals(KEPT_BYTES.length, restarted.artifacts().finishUpload(kept, sha256(KEPT_BYTES), null).size());
    }

    private static Artifacts.Upload openWithBytes(ModelyardClient api, String filename) {
        Artifacts.Upload upload = api.artifacts().openUpload("leftover-model", "1.0.0", filename, Artifacts.target("bin"));
        assertEquals(KEPT_BYTES.length, api.artifacts().append(upload, 0, () -> new ByteArrayInputStream(KEPT_BYTES), KEPT_BYTES.length));
        return upload;
    }

    /** Sends a quarter of a large upload, waits until it is in staging, and kills the server. */
    private static void interruptedUploadThenKill(String path) throws Exception {
        HttpURLConnection c = server.partialUpload(path, SIZE, 7, SIZE / 4);
        Path staging = server.data().resolve("staging");
        Instant deadline = Instant.now().plus(ServerProcess.WAIT);
        while (partBytes(staging, "upload-") < SIZE / 8 && Instant.now().isBefore(deadline)) {
            ServerProcess.pause(50);
        }
        server.process().kill();
        c.disconnect();
    }

    private static long partFiles(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".part")).count();
        }
    }

    private static long partBytes(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".part"))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
