package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.S3Server;
import dev.modelyard.testing.TestPostgres;
import dev.modelyard.wire.TargetDescriptor;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumable upload into the S3 store that loses its connection halfway through a chunk,
 * asks where to resume, and finishes.
 */
class S3ResumableE2ETest {

    static final String ADMIN = "e2e-admin-token-0123456789abcdef";
    static final long SIZE = 96L * 1024 * 1024;
    static final long CHUNK = 32L * 1024 * 1024;

    @TempDir
    static Path work;
    static TestPostgres db;
    static S3Server s3;
    static ServerProcess server;

    @BeforeAll
    static void start() {
        db = TestPostgres.create("e2e_s3");
        s3 = S3Server.start(work);
        server = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "128m", Map.of(
                "MODELYARD_ADMIN_TOKEN", ADMIN,
                "MODELYARD_STORAGE_TYPE", "s3",
                "MODELYARD_STORAGE_S3_ENDPOINT", s3.endpoint(),
                "MODELYARD_STORAGE_S3_ACCESS_KEY", S3Server.ACCESS_KEY,
                "MODELYARD_STORAGE_S3_SECRET_KEY", S3Server.SECRET_KEY,
                "MODELYARD_STORAGE_S3_PART_SIZE", "16M"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (s3 != null) s3.close();
        if (db != null) db.close();
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /**
     * Sends bytes [offset, offset+length) of the file as one append. When {@code cutAfter} is less
     * than {@code length} the body fails after that many bytes, so the client aborts the request
     * mid-stream as a dropped network would. Returns the status, or -1 for an aborted request.
     */
    private static int patch(ModelyardClient api, Artifacts.Upload upload, long offset, long length, long cutAfter) throws Exception {
        InputStream src = new PatternStream(SIZE, 11);
        src.skipNBytes(offset);
        InputStream body = new FilterInputStream(src) {
            long sent;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent >= length) return -1;
                if (sent >= cutAfter) throw new IOException("simulated network cut");
                int n = super.read(b, off, (int) Math.min(len, Math.min(cutAfter, length) - sent));
                sent += Math.max(n, 0);
                return n;
            }
        };
        try {
            assertEquals(offset + length, api.artifacts().append(upload, offset, () -> body, length));
            return 204;
        } catch (ApiProblemException refused) {
            return refused.status();
        } catch (UncheckedIOException cut) {
            return -1;
        }
    }

    @Test
    void resumesAfterACutAndLandsInS3() throws Exception {
        // HTTP/1.1: a cut request body aborts its own connection, as a dropped network does.
        ModelyardClient api = ModelyardClient.builder(server.uri("")).token(ADMIN).http(HTTP).build();
        Fixtures.model(api, "s3-resume");
        api.versions().create("s3-resume", Versions.NewVersion.of("1.0.0"));
        Artifacts.Upload upload = api.artifacts().openUpload("s3-resume", "1.0.0", "m.bin",
                new TargetDescriptor("bin", null, null, "x86_64", null, null, null, null));

        assertEquals(204, patch(api, upload, 0, CHUNK, CHUNK));
        assertEquals(-1, patch(api, upload, CHUNK, CHUNK, CHUNK / 2), "the second chunk is cut halfway");

        // The server keeps what arrived of the cut append (tus semantics) once that request has
        // ended on its side; until then a resume is refused as busy or at a stale offset (409).
        // Like any resumable client, ask for the offset and go on from there.
        long offset = api.artifacts().uploadOffset(upload);
        assertTrue(offset >= CHUNK && offset <= CHUNK + CHUNK / 2,
                "the interrupted append keeps at most what was sent before the cut: " + offset);
        java.time.Instant deadline = java.time.Instant.now().plus(ServerProcess.WAIT);
        while (offset < SIZE) {
            long length = Math.min(CHUNK, SIZE - offset);
            int status = patch(api, upload, offset, length, length);
            if (status == 204) {
                offset += length;
                continue;
            }
            assertEquals(409, status, "a resume is refused only while the cut append has not ended");
            assertTrue(java.time.Instant.now().isBefore(deadline), "the cut append never ended on the server");
            ServerProcess.pause(100);
            offset = api.artifacts().uploadOffset(upload);
        }
        String sha = PatternStream.sha256Hex(SIZE, 11);
        assertEquals(SIZE, api.artifacts().finishUpload(upload, sha, null).size());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            api.artifacts().download("s3-resume", "1.0.0", "m.bin", out);
        }
        assertEquals(sha, HexFormat.of().formatHex(digest.digest()));
        assertTrue(s3ObjectCount() >= 1);
    }

    private static long s3ObjectCount() throws IOException {
        try (var files = java.nio.file.Files.walk(work.resolve("s3-data"))) {
            return files.filter(java.nio.file.Files::isRegularFile).count();
        }
    }
}
