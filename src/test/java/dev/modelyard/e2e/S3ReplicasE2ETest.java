package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.S3Server;
import dev.modelyard.testing.TestPostgres;
import dev.modelyard.wire.TargetDescriptor;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server processes on one database and one S3 bucket, each with a data directory of its
 * own: a resumable upload's bytes wait in the bucket, so any replica continues and finishes it;
 * downloads are redirected to presigned URLs, and the API client follows them.
 */
class S3ReplicasE2ETest {

    static final String ADMIN = FreshServer.ADMIN;
    static final long SIZE = 11L * 1024 * 1024 + 7;

    @TempDir
    static Path work;
    static TestPostgres db;
    static S3Server s3;
    static ServerProcess one;
    static ServerProcess two;

    @BeforeAll
    static void start() {
        db = TestPostgres.create("e2e_s3_replicas");
        s3 = S3Server.start(work);
        Map<String, String> env = new HashMap<>();
        env.put("MODELYARD_ADMIN_TOKEN", ADMIN);
        env.put("MODELYARD_STORAGE_TYPE", "s3");
        env.put("MODELYARD_STORAGE_S3_ENDPOINT", s3.endpoint());
        env.put("MODELYARD_STORAGE_S3_ACCESS_KEY", S3Server.ACCESS_KEY);
        env.put("MODELYARD_STORAGE_S3_SECRET_KEY", S3Server.SECRET_KEY);
        env.put("MODELYARD_STORAGE_S3_PART_SIZE", "5M");
        env.put("MODELYARD_STORAGE_S3_PRESIGNED_DOWNLOADS_ENABLED", "true");
        one = ServerProcess.start(db.jdbcUrl(), work.resolve("data-one"), "256m", env);
        two = ServerProcess.start(db.jdbcUrl(), work.resolve("data-two"), "256m", env);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (one != null) one.close();
            if (two != null) two.close();
        } finally {
            if (s3 != null) s3.close();
            if (db != null) db.close();
        }
    }

    @Test
    void anUploadHopsBetweenReplicasAndIsDownloadedFromTheBucket() throws Exception {
        ModelyardClient a = one.client(ADMIN);
        ModelyardClient b = two.client(ADMIN);
        Fixtures.model(a, "s3-replicated");
        a.versions().create("s3-replicated", Versions.NewVersion.of("1.0.0"));
        Artifacts.Upload upload = a.artifacts().openUpload("s3-replicated", "1.0.0", "m.bin",
                new TargetDescriptor("bin", null, null, "x86_64", null, null, null, null));
        // Appends of 3 MiB, below S3's 5 MiB part minimum, alternating between the replicas.
        long chunk = 3L * 1024 * 1024;
        long offset = 0;
        for (int i = 0; offset < SIZE; i++) {
            ModelyardClient via = i % 2 == 0 ? a : b;
            long length = Math.min(chunk, SIZE - offset);
            long from = offset;
            assertEquals(offset + length, via.artifacts().append(upload, offset, () -> slice(from, length), length));
            offset += length;
            assertEquals(offset, (i % 2 == 0 ? b : a).artifacts().uploadOffset(upload), "the other replica sees the offset");
        }
        String sha = PatternStream.sha256Hex(SIZE, 23);
        assertEquals(sha, b.artifacts().finishUpload(upload, sha, null).sha256());

        // The server answers the download with a redirect; the client fetches the bytes from the bucket.
        HttpURLConnection c = (HttpURLConnection) one.uri("/api/v1/models/s3-replicated/versions/1.0.0/artifacts/m.bin/content")
                .toURL().openConnection();
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("Authorization", "Bearer " + ADMIN);
        assertEquals(307, c.getResponseCode());
        c.disconnect();
        for (ModelyardClient via : new ModelyardClient[] {a, b}) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
                assertEquals(SIZE, via.artifacts().download("s3-replicated", "1.0.0", "m.bin", out));
            }
            assertEquals(sha, HexFormat.of().formatHex(digest.digest()));
        }
    }

    private static InputStream slice(long from, long length) {
        try {
            InputStream in = new PatternStream(SIZE, 23);
            in.skipNBytes(from);
            return new java.io.FilterInputStream(in) {
                long left = length;

                @Override
                public int read(byte[] buf, int off, int len) throws java.io.IOException {
                    if (left == 0) return -1;
                    int n = super.read(buf, off, (int) Math.min(len, left));
                    if (n > 0) left -= n;
                    return n;
                }

                @Override
                public int read() throws java.io.IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }
            };
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
