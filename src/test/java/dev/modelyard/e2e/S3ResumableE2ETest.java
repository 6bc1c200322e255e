package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.S3Server;
import dev.modelyard.testing.TestPostgres;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
    private static int patch(String url, long offset, long length, long cutAfter) throws Exception {
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
        HttpRequest req = HttpRequest.newBuilder(server.uri(url))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", Long.toString(offset))
                .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), length))
                .build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException cut) {
            return -1;
        }
    }

    private static long offset(Client api, String url) throws Exception {
        return Long.parseLong(api.send("HEAD", url, null).raw().headers().firstValue("Upload-Offset").orElseThrow());
    }

    @Test
    void resumesAfterACutAndLandsInS3() throws Exception {
        Client api = new Client(server, ADMIN);
        api.createModelAndDraft("s3-resume", "1.0.0");
        Client.Reply opened = Client.expect(201, api.send("POST",
                "/api/v1/models/s3-resume/versions/1.0.0/uploads?filename=m.tflite&arch=x86_64", null));
        String url = opened.body().get("url").asText();

        assertEquals(204, patch(url, 0, CHUNK, CHUNK));
        assertEquals(-1, patch(url, CHUNK, CHUNK, CHUNK / 2), "the second chunk is cut halfway");

        // The server keeps what arrived of the cut append (tus semantics) once that request has
        // ended on its side; until then a resume is refused as busy or at a stale offset (409).
        // Like any resumable client, ask for the offset and go on from there.
        long offset = offset(api, url);
        assertTrue(offset >= CHUNK && offset <= CHUNK + CHUNK / 2,
                "the interrupted append keeps at most what was sent before the cut: " + offset);
        java.time.Instant deadline = java.time.Instant.now().plus(ServerProcess.WAIT);
        while (offset < SIZE) {
            long length = Math.min(CHUNK, SIZE - offset);
            int status = patch(url, offset, length, length);
            if (status == 204) {
                offset += length;
                continue;
            }
            assertEquals(409, status, "a resume is refused only while the cut append has not ended");
            assertTrue(java.time.Instant.now().isBefore(deadline), "the cut append never ended on the server");
            ServerProcess.pause(100);
            offset = offset(api, url);
        }
        String sha = PatternStream.sha256Hex(SIZE, 11);
        Client.Reply done = Client.expect(201, api.send("PUT", url + "?digest=sha256:" + sha, null));
        assertEquals(SIZE, done.body().get("size").asLong());
        Object[] got = api.downloadSha256("/api/v1/models/s3-resume/versions/1.0.0/artifacts/m.tflite/content");
        assertEquals(sha, got[1]);
        assertTrue(s3ObjectCount() >= 1);
    }

    private static long s3ObjectCount() throws IOException {
        try (var files = java.nio.file.Files.walk(work.resolve("s3-data"))) {
            return files.filter(java.nio.file.Files::isRegularFile).count();
        }
    }
}
