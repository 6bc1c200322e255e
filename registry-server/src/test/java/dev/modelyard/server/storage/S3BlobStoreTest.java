package dev.modelyard.server.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.testing.S3Server;
import io.minio.MinioClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 store against a real S3 server on loopback. */
class S3BlobStoreTest {

    @TempDir
    static Path work;
    static S3Server s3;
    static MinioClient client;
    static S3BlobStore store;

    @BeforeAll
    static void start() throws IOException {
        s3 = S3Server.start(work);
        client = MinioClient.builder().endpoint(s3.endpoint()).credentials(S3Server.ACCESS_KEY, S3Server.SECRET_KEY).build();
        // The bucket does not exist yet: the store creates it.
        store = new S3BlobStore(client, "fresh-bucket", 5L * 1024 * 1024);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3.close();
    }

    @Test
    void storesReadsRangesListsAndDeletes() throws IOException {
        // Larger than one part, so the multipart path is taken.
        byte[] bytes = Api.randomBytes(12 * 1024 * 1024 + 3, 77);
        String sha = Api.sha256(bytes);
        Path staged = Files.write(work.resolve("staged"), bytes);
        assertFalse(store.exists(sha));

        store.put(sha, staged);

        assertTrue(store.exists(sha));
        assertFalse(Files.exists(staged), "the staged file is consumed");
        try (InputStream in = store.open(sha, 0, bytes.length)) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        try (InputStream in = store.open(sha, 1000, 24)) {
            assertArrayEquals(Arrays.copyOfRange(bytes, 1000, 1024), in.readAllBytes());
        }
        List<String> listed = new ArrayList<>();
        store.forEachWrittenBefore(Instant.now().plusSeconds(60), listed::add);
        assertTrue(listed.contains(sha));
        List<String> none = new ArrayList<>();
        store.forEachWrittenBefore(Instant.now().minusSeconds(3600), none::add);
        assertFalse(none.contains(sha));

        // Idempotent: storing the same content again is a no-op that still consumes the file.
        Path again = Files.write(work.resolve("again"), bytes);
        store.put(sha, again);
        assertFalse(Files.exists(again));

        store.delete(sha);
        assertFalse(store.exists(sha));
        store.checkReachable();
    }

    @Test
    void unreachableServerIsAClearIOException() {
        MinioClient nowhere = MinioClient.builder().endpoint("http://127.0.0.1:1").credentials("a", "b").build();
        IOException e = assertThrows(IOException.class, () -> new S3BlobStore(nowhere, "b", 5L * 1024 * 1024));
        assertTrue(e.getMessage().contains("bucket 'b'"), e.getMessage());
    }

    @Test
    void wrongCredentialsAreAClearIOException() {
        MinioClient wrong = MinioClient.builder().endpoint(s3.endpoint()).credentials("nobody", "wrong-secret").build();
        IOException e = assertThrows(IOException.class, () -> new S3BlobStore(wrong, "other", 5L * 1024 * 1024));
        assertEquals(IOException.class, e.getClass());
    }
}
