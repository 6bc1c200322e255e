package dev.modelyard.server.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
class GarbageCollectorTest {

    @Inject
    GarbageCollector gc;
    @Inject
    BlobStore store;
    @Inject
    StagingArea staging;
    @Inject
    AgroalDataSource db;

    @Test
    void removesWhatNothingReferencesAndKeepsTheRest() throws Exception {
        Instant old = Instant.now().minus(2, ChronoUnit.HOURS);

        // A blob whose upload never committed an artifact (crash after storing), past the grace period.
        String abandoned = storeBlob(Api.randomBytes(64, 1001), old);
        // The same, but recent: an upload may still be committing.
        String recent = storeBlob(Api.randomBytes(64, 1002), Instant.now());
        // Bytes in the store with no ledger row at all.
        byte[] orphanBytes = Api.randomBytes(64, 1003);
        String orphan = Api.sha256(orphanBytes);
        Path f = Files.write(staging.dir().resolve("o.part"), orphanBytes);
        store.put(orphan, f);
        Files.setLastModifiedTime(((FileSystemBlobStore) store).pathOf(orphan), FileTime.from(old));
        // A referenced blob, made old.
        byte[] kept = Api.onnxModel(1004);
        Api.modelWithArtifact("gc-kept", "1.0.0", kept);
        exec("UPDATE blob SET touched_at = ? WHERE sha256 = ?", old, Api.sha256(kept));
        Files.setLastModifiedTime(((FileSystemBlobStore) store).pathOf(Api.sha256(kept)), FileTime.from(old));
        // A staging file from an interrupted upload.
        Path leftover = Files.write(staging.dir().resolve("upload-crashed.part"), new byte[10]);
        Files.setLastModifiedTime(leftover, FileTime.from(old));

        GarbageCollector.Report r = gc.collect();

        assertFalse(store.exists(abandoned));
        assertTrue(store.exists(recent));
        assertFalse(store.exists(orphan));
        assertTrue(store.exists(Api.sha256(kept)));
        assertFalse(Files.exists(leftover));
        assertTrue(r.blobs() >= 1 && r.orphanObjects() >= 1 && r.stagingFiles() >= 1, r.toString());
        assertEquals(0, count(abandoned));
        assertEquals(1, count(recent));
    }

    private String storeBlob(byte[] bytes, Instant touched) throws Exception {
        String sha = Api.sha256(bytes);
        Path f = Files.write(staging.dir().resolve(sha + ".part"), bytes);
        store.put(sha, f);
        exec("INSERT INTO blob (sha256, size, created_at, touched_at) VALUES (?, ?, ?, ?)", sha, (long) bytes.length, touched, touched);
        return sha;
    }

    private void exec(String sql, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                ps.setObject(i + 1, a instanceof Instant t ? java.sql.Timestamp.from(t) : a);
            }
            ps.executeUpdate();
        }
    }

    private long count(String sha) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM blob WHERE sha256 = ?")) {
            ps.setString(1, sha);
            var rs = ps.executeQuery();
            rs.next();
            return rs.getLong(1);
        }
    }
}
