package dev.modelyard.server.delta;

import static dev.modelyard.server.delta.DeltaFixtures.model;
import static dev.modelyard.server.delta.DeltaFixtures.publishVersion;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.server.Api;
import dev.modelyard.server.storage.BlobStore;
import dev.modelyard.server.storage.S3StoreProfile;
import dev.modelyard.server.storage.StagingArea;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Deltas built from blobs in S3: copied out to a work directory, checked, encoded, stored back, and the copies removed. */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class DeltaS3Test {

    @Inject
    AgroalDataSource db;
    @Inject
    BlobStore store;
    @Inject
    StagingArea staging;

    @Test
    void aDeltaOfFilesInS3RebuildsTheTargetAndLeavesNoCopiesBehind() throws Exception {
        assertTrue(store.localPath(Api.sha256(new byte[] {1})).isEmpty(), "the S3 store has no local files");
        String m = Api.createModel("delta-s3");
        byte[] v1 = model(1301, 0.5f);
        byte[] v2 = model(1301, 0.9f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", v2);
        Api.publisher().contentType(ContentType.JSON).body(Map.of("baseVersion", "1.0.0"))
                .post("/api/v1/models/{m}/versions/2.0.0/artifacts/model.onnx/deltas", m).then().statusCode(202);

        DeltaFixtures.Row r = DeltaFixtures.settled(db, DeltaFixtures.artifactId(m, "2.0.0"), Api.sha256(v1));
        assertEquals("READY", r.status(), r.toString());
        Path dir = Files.createTempDirectory("delta-s3");
        Path delta = dir.resolve("delta");
        try (InputStream in = store.open(r.blobSha256(), 0, r.size())) {
            Files.copy(in, delta);
        }
        Path rebuilt = dir.resolve("rebuilt");
        DeltaApplier.apply(delta, Files.write(dir.resolve("base"), v1), Api.sha256(v1), rebuilt);
        assertArrayEquals(v2, Files.readAllBytes(rebuilt));

        // The build's work directory goes in its closing step, just after the row is committed.
        Path work = staging.dir().resolve("delta");
        Api.await("the work directories to be removed after the builds", DeltaFixtures.DEADLINE, () -> filesIn(work) == 0);
    }

    private static long filesIn(Path dir) {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> files = Files.walk(dir)) {
            // Each process's lock file stays for its life: only work files count.
            return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".lock")).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return -1; // a directory removed while walking: look again
        }
    }
}
