package dev.modelyard.server.delta;

import static dev.modelyard.server.delta.DeltaFixtures.model;
import static dev.modelyard.server.delta.DeltaFixtures.publishVersion;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.delta.DeltaApplier;
import dev.modelyard.server.Api;
import dev.modelyard.server.storage.BlobStore;
import dev.modelyard.server.storage.GarbageCollector;
import dev.modelyard.server.storage.StagingArea;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Deltas from planning to stored file, with real PostgreSQL, real DDI devices and the real
 * encoders: which pairs publication and assignment queue, builds that rebuild the exact target,
 * the useless rule, failure after the attempts, the take-over of a dead replica's build, and the
 * garbage collector's view of delta blobs.
 */
@QuarkusTest
class DeltaPipelineTest {

    @Inject
    AgroalDataSource db;
    @Inject
    BlobStore store;
    @Inject
    StagingArea staging;
    @Inject
    GarbageCollector gc;

    @Test
    void publicationQueuesTheFullFileAndADeltaFromEachInstalledBase() {
        String m = Api.createModel("delta-pub");
        byte[] v1 = model(101, 0.5f);
        publishVersion(m, "1.0.0", v1);
        String a1 = DeltaFixtures.artifactId(m, "1.0.0");
        DeltaFixtures.Row full1 = DeltaFixtures.pair(db, a1, null);
        assertNotNull(full1, "the compressed full file of 1.0.0 is queued at publication");
        assertEquals("publication", full1.requestedBy());
        assertEquals(1, DeltaFixtures.rows(db, a1).size(), "nothing is installed yet: no delta from a base");

        DeltaFixtures.device().install(m, "1.0.0");
        DeltaFixtures.device().install(m, "1.0.0");
        byte[] v2 = model(101, 0.75f);
        publishVersion(m, "2.0.0", v2);

        String a2 = DeltaFixtures.artifactId(m, "2.0.0");
        List<DeltaFixtures.Row> rows = DeltaFixtures.rows(db, a2);
        assertEquals(2, rows.size(), rows.toString());
        DeltaFixtures.Row fromV1 = DeltaFixtures.pair(db, a2, Api.sha256(v1));
        assertNotNull(fromV1, "a delta from the installed 1.0.0: " + rows);
        assertEquals("publication", fromV1.requestedBy());
        assertEquals(UUID.fromString(a1), fromV1.baseArtifact());
        assertEquals(v2.length, fromV1.targetSize());
        assertNotNull(DeltaFixtures.pair(db, a2, null), "and the compressed full file of 2.0.0");

        // A file below min-size gets nothing.
        String small = Api.createModel("delta-small");
        Api.createVersion(small, "1.0.0");
        Api.upload(small, "1.0.0", "model.onnx", Api.onnxModel(102), null).then().statusCode(201);
        Api.publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", small).then().statusCode(200);
        assertEquals(List.of(), DeltaFixtures.rows(db, DeltaFixtures.artifactId(small, "1.0.0")));
    }

    @Test
    void assignmentQueuesTheDeltaFromWhatTheDeviceHasInstalled() {
        String m = Api.createModel("delta-assign");
        byte[] v1 = model(201, 0.5f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", model(201, 0.25f));
        String a2 = DeltaFixtures.artifactId(m, "2.0.0");
        assertNull(DeltaFixtures.pair(db, a2, Api.sha256(v1)), "published before any device had 1.0.0");

        DeltaFixtures.Device d = DeltaFixtures.device();
        d.install(m, "1.0.0");
        d.assign(m, "2.0.0");

        DeltaFixtures.Row r = DeltaFixtures.pair(db, a2, Api.sha256(v1));
        assertNotNull(r, "the device's installed file is a base: " + DeltaFixtures.rows(db, a2));
        assertEquals("assignment", r.requestedBy());
        assertEquals(UUID.fromString(DeltaFixtures.artifactId(m, "1.0.0")), r.baseArtifact());
        assertEquals(2, DeltaFixtures.rows(db, a2).size(), "one pair, queued once");
    }

    @Test
    void aReadyDeltaRebuildsTheExactTargetFromItsBase() throws Exception {
        String m = Api.createModel("delta-build");
        byte[] v1 = model(301, 0.5f);
        publishVersion(m, "1.0.0", v1);
        DeltaFixtures.device().install(m, "1.0.0");
        byte[] v2 = model(301, 1.5f);
        publishVersion(m, "2.0.0", v2);
        String a2 = DeltaFixtures.artifactId(m, "2.0.0");

        DeltaFixtures.Row full = DeltaFixtures.settled(db, a2, null);
        DeltaFixtures.Row delta = DeltaFixtures.settled(db, a2, Api.sha256(v1));
        assertEquals("READY", full.status(), full.toString());
        assertEquals("READY", delta.status(), delta.toString());
        assertTrue(delta.size() <= 0.9 * full.size(), "a delta is offered only when smaller than the compressed file: " + delta);
        assertTrue(delta.size() < v2.length / 10, "only the bias changed: " + delta.size() + " of " + v2.length);
        assertNotNull(delta.method());
        assertEquals(1, delta.attempts());

        Path dir = Files.createTempDirectory("delta-apply");
        Path base = Files.write(dir.resolve("base"), v1);
        Path rebuilt = dir.resolve("rebuilt");
        DeltaApplier.apply(blob(delta.blobSha256(), delta.size(), dir.resolve("delta")), base, Api.sha256(v1), rebuilt);
        assertArrayEquals(v2, Files.readAllBytes(rebuilt));
        Path fromNothing = dir.resolve("full");
        DeltaApplier.apply(blob(full.blobSha256(), full.size(), dir.resolve("compressed")), null, null, fromNothing);
        assertArrayEquals(v2, Files.readAllBytes(fromNothing));

        // Counted: this replica's builds by outcome, and the table by status.
        assertTrue(DeltaFixtures.metric("modelyard_delta_build_seconds_count{outcome=\"ready\"}") >= 2);
        Api.await("the ready deltas gauge", DeltaFixtures.DEADLINE,
                () -> DeltaFixtures.metric("modelyard_delta_artifacts{status=\"ready\"}") >= 2);
    }

    @Test
    void aRolloutsAssignmentsQueueTheDeltasOfItsDevices() throws Exception {
        String m = Api.createModel("delta-rollout");
        byte[] v1 = model(351, 0.5f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", model(351, 0.25f));
        String tag = Api.uniqueName("delta-ro");
        DeltaFixtures.Device d = DeltaFixtures.device(List.of(tag));
        d.install(m, "1.0.0");
        String a2 = DeltaFixtures.artifactId(m, "2.0.0");
        assertNull(DeltaFixtures.pair(db, a2, Api.sha256(v1)));

        Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("rollout"), "model", m, "version", "2.0.0",
                "filter", "tag==" + tag, "start", true)).post("/api/v1/rollouts").then().statusCode(201);

        Api.await("the rollout's assignment to queue the delta from 1.0.0", DeltaFixtures.DEADLINE,
                () -> DeltaFixtures.pair(db, a2, Api.sha256(v1)) != null);
        assertEquals("assignment", DeltaFixtures.pair(db, a2, Api.sha256(v1)).requestedBy());
    }

    @Test
    void aDeltaThatSavesTooLittleIsKeptAsUselessWithoutAFile() throws Exception {
        String m = Api.createModel("delta-useless");
        Api.createVersion(m, "1.0.0");
        byte[] noise = Api.randomBytes(96 * 1024, 401);
        Api.upload(m, "1.0.0", "model.bin", noise, "format=bin").then().statusCode(201);
        Api.publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", m).then().statusCode(200);
        String a = Api.viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts/model.bin", m).then().extract().path("id");

        DeltaFixtures.Row r = DeltaFixtures.settled(db, a, null);
        assertEquals("USELESS", r.status(), r.toString());
        assertNull(r.blobSha256(), "no file is kept");
        assertNotNull(r.method());
        assertTrue(r.size() > 0.9 * noise.length, r.toString());
    }

    @Test
    void aBuildWhoseBaseBlobIsGoneFailsAfterItsAttempts() throws Exception {
        String m = Api.createModel("delta-gone");
        byte[] v1 = model(501, 0.5f);
        publishVersion(m, "1.0.0", v1);
        publishVersion(m, "2.0.0", model(501, 0.1f));
        store.delete(Api.sha256(v1));

        Api.publisher().contentType(ContentType.JSON).body(Map.of("baseVersion", "1.0.0"))
                .post("/api/v1/models/{m}/versions/2.0.0/artifacts/model.onnx/deltas", m).then().statusCode(202);

        DeltaFixtures.Row r = DeltaFixtures.settled(db, DeltaFixtures.artifactId(m, "2.0.0"), Api.sha256(v1));
        assertEquals("FAILED", r.status(), r.toString());
        assertEquals(3, r.attempts(), "the default number of attempts: " + r);
        assertTrue(r.error().contains("gave up after 3 attempts") && r.error().contains("base blob " + Api.sha256(v1)), r.error());
    }

    @Test
    void aBuildWhoseReplicaDiedIsTakenOverOnceItsLeaseExpires() throws Exception {
        String m = Api.createModel("delta-lease");
        byte[] v1 = model(601, 0.5f);
        publishVersion(m, "1.0.0", v1);
        byte[] v2 = model(601, 2.5f);
        publishVersion(m, "2.0.0", v2);
        String a1 = DeltaFixtures.artifactId(m, "1.0.0");
        String a2 = DeltaFixtures.artifactId(m, "2.0.0");
        // A replica claimed this build (first attempt) and died: its lease ran out a second ago.
        insertBuilding(a2, Api.sha256(v1), a1, v2.length, 1);

        DeltaFixtures.Row r = DeltaFixtures.settled(db, a2, Api.sha256(v1));
        assertEquals("READY", r.status(), r.toString());
        assertEquals(2, r.attempts(), "taken over as the second attempt");

        // One that had used its last attempt when its replica died is not built again.
        byte[] v3 = model(601, 3.5f);
        publishVersion(m, "3.0.0", v3);
        String a3 = DeltaFixtures.artifactId(m, "3.0.0");
        insertBuilding(a3, Api.sha256(v1), a1, v3.length, 3);
        DeltaFixtures.Row last = DeltaFixtures.settled(db, a3, Api.sha256(v1));
        assertEquals("FAILED", last.status(), last.toString());
        assertTrue(last.error().contains("gave up after 3 attempts"), last.error());
    }

    private void insertBuilding(String target, String baseSha256, String baseArtifact, long targetSize, int attempts) {
        DeltaFixtures.exec(db, """
                INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, base_artifact_id, status, requested_by,
                    target_size, attempts, lease_until, not_before, created_at)
                VALUES (?::uuid, 'default', ?::uuid, ?, ?::uuid, 'BUILDING', 'api', ?, ?, ?, ?, ?)""",
                UUID.randomUUID().toString(), target, baseSha256, baseArtifact, targetSize, attempts,
                Instant.now().minusSeconds(1), Instant.now().minusSeconds(60), Instant.now().minusSeconds(60));
    }

    @Test
    void theCollectorKeepsADeltaBlobUntilItsArtifactIsDeleted() throws Exception {
        String m = Api.createModel("delta-gc");
        Api.createVersion(m, "1.0.0");
        Api.upload(m, "1.0.0", "model.onnx", Api.onnxModel(701), null).then().statusCode(201);
        String a = DeltaFixtures.artifactId(m, "1.0.0");
        Instant old = Instant.now().minus(2, ChronoUnit.HOURS);
        byte[] deltaBytes = Api.randomBytes(300, 702);
        String sha = Api.sha256(deltaBytes);
        store.put(sha, Files.write(staging.dir().resolve(sha + ".part"), deltaBytes));
        DeltaFixtures.exec(db, "INSERT INTO blob (sha256, size, created_at, touched_at) VALUES (?, ?, ?, ?)", sha, 300L, old, old);
        DeltaFixtures.exec(db, """
                INSERT INTO artifact_delta (id, tenant, target_artifact_id, status, requested_by, method, blob_sha256, size,
                    target_size, created_at, built_at)
                VALUES (?::uuid, 'default', ?::uuid, 'READY', 'api', 'planes', ?, 300, 1000, ?, ?)""",
                UUID.randomUUID().toString(), a, sha, old, old);

        gc.collect();
        assertTrue(store.exists(sha), "a ready delta's file is not garbage");

        Api.publisher().delete("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx", m).then().statusCode(204);
        assertEquals(List.of(), DeltaFixtures.rows(db, a), "the artifact's deltas went with it");
        gc.collect();
        assertFalse(store.exists(sha), "and then their files are collected");
    }

    /** A stored blob as a local file. */
    private Path blob(String sha256, long size, Path copy) throws Exception {
        assertNotNull(sha256);
        try (var in = store.open(sha256, 0, size)) {
            Files.copy(in, copy);
        }
        return copy;
    }
}
