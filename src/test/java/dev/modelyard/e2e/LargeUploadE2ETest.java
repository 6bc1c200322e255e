package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.testing.TestPostgres;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads stream: a 2 GiB artifact goes through a server whose heap is capped at 256 MiB. The
 * bytes are random, so the artifact is declared in an opaque format (ONNX uploads are parsed).
 */
class LargeUploadE2ETest {

    static final String ADMIN = "e2e-admin-token-0123456789abcdef";
    static final long TWO_GIB = 2L * 1024 * 1024 * 1024;

    @TempDir
    static Path work;
    static TestPostgres db;
    static ServerProcess server;

    @BeforeAll
    static void start() {
        db = TestPostgres.create("e2e_large");
        server = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "256m", Map.of("MODELYARD_ADMIN_TOKEN", ADMIN));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (db != null) db.close();
    }

    @Test
    void twoGibUploadWithSmallHeapThenDownloadIntact() throws Exception {
        Client api = new Client(server, ADMIN);
        api.createModelAndDraft("big-model", "1.0.0");
        String sha = PatternStream.sha256Hex(TWO_GIB, 2);

        Client.Reply r = Client.expect(201, api.putStream("/api/v1/models/big-model/versions/1.0.0/artifacts/big.tflite",
                new PatternStream(TWO_GIB, 2), TWO_GIB, PatternStream.contentDigest(sha)));

        assertEquals(sha, r.body().get("sha256").asText());
        assertEquals(TWO_GIB, r.body().get("size").asLong());
        Object[] got = api.downloadSha256("/api/v1/models/big-model/versions/1.0.0/artifacts/big.tflite/content");
        assertEquals(TWO_GIB, got[0]);
        assertEquals(sha, got[1]);
    }
}
