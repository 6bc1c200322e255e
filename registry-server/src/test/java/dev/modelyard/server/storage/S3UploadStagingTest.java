package dev.modelyard.server.storage;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * With the S3 store, a resumable upload's bytes wait in the bucket, where every replica sees
 * them, in appends of any length (S3's 5 MiB minimum part size does not apply); the finish checks
 * the digest as before and leaves nothing staged. Claims on a session are rows, so a request of
 * another replica is told to wait, and a dead replica's claim goes stale.
 */
@QuarkusTest
@TestProfile(S3StoreProfile.class)
class S3UploadStagingTest {

    @Inject
    StagingArea local;
    @Inject
    AgroalDataSource db;
    @ConfigProperty(name = "modelyard.storage.s3.endpoint")
    String endpoint;
    @ConfigProperty(name = "modelyard.storage.s3.access-key")
    String accessKey;
    @ConfigProperty(name = "modelyard.storage.s3.secret-key")
    String secretKey;
    @ConfigProperty(name = "modelyard.storage.s3.bucket")
    String bucket;

    @Test
    void appendsOfAnyLengthWaitInTheBucketAndTheFinishChecksTheDigest() throws Exception {
        byte[] bytes = Api.onnxModel(5 * 1024 * 1024 + 17, 41);
        String m = Api.createModel("s3-staged");
        Api.createVersion(m, "1.0.0");
        String u = open(m, "1.0.0", "s.onnx");
        UUID id = UUID.fromString(u.substring(u.lastIndexOf('/') + 1));

        int first = 3 * 1024 * 1024;
        append(u, 0, Arrays.copyOfRange(bytes, 0, first)).then().statusCode(204).header("Upload-Offset", String.valueOf(first));
        append(u, first, Arrays.copyOfRange(bytes, first, bytes.length)).then().statusCode(204)
                .header("Upload-Offset", String.valueOf(bytes.length));

        assertEquals(List.of("staging/uploads/" + id + "/" + String.format("%020d", 0),
                "staging/uploads/" + id + "/" + String.format("%020d", first)), staged(id));
        assertFalse(Files.exists(local.sessionFile(id)), "nothing of the session is on this replica's disk");

        // A wrong digest is refused as before (on a session of its own: a finish ends its session).
        String wrong = open(m, "1.0.0", "w.onnx");
        append(wrong, 0, bytes).then().statusCode(204);
        publisher().put(wrong + "?digest=sha256:" + Api.sha256(new byte[1])).then().statusCode(422);

        publisher().put(u + "?digest=sha256:" + Api.sha256(bytes)).then().statusCode(201).body("sha256", equalTo(Api.sha256(bytes)));
        assertArrayEquals(bytes, viewer().get("/api/v1/models/" + m + "/versions/1.0.0/artifacts/s.onnx/content").asByteArray());
        assertEquals(List.of(), staged(id), "the finish removed the staged objects");
        publisher().get(wrong).then().statusCode(404);
    }

    @Test
    void anotherReplicasClaimMakesAnAppendWaitUntilItEndsOrGoesStale() throws Exception {
        String m = Api.createModel("s3-claim");
        Api.createVersion(m, "1.0.0");
        String u = open(m, "1.0.0", "c.bin");
        UUID id = UUID.fromString(u.substring(u.lastIndexOf('/') + 1));
        byte[] bytes = Api.randomBytes(1000, 5);

        exec("UPDATE upload_session SET appending_by = 'other-replica', appending_at = now() WHERE id = ?", id);
        append(u, 0, bytes).then().statusCode(409).body("code", equalTo("concurrent-request"));
        publisher().get(u).then().statusCode(200).body("appending", equalTo(true));

        // The other replica died: its claim is not renewed and goes stale.
        exec("UPDATE upload_session SET appending_at = now() - interval '5 minutes' WHERE id = ?", id);
        publisher().get(u).then().statusCode(200).body("appending", equalTo(false));
        append(u, 0, bytes).then().statusCode(204).header("Upload-Offset", "1000");
        publisher().get(u).then().statusCode(200).body("appending", equalTo(false)).body("offset", equalTo(1000));
        publisher().put(u + "?digest=sha256:" + Api.sha256(bytes)).then().statusCode(201);
    }

    private static String open(String model, String version, String filename) {
        return publisher().post("/api/v1/models/" + model + "/versions/" + version + "/uploads?filename=" + filename)
                .then().statusCode(201).extract().path("url");
    }

    private static io.restassured.response.Response append(String url, long offset, byte[] bytes) {
        return publisher().contentType("application/offset+octet-stream").header("Upload-Offset", offset).body(bytes).patch(url);
    }

    private List<String> staged(UUID id) throws Exception {
        try (MinioClient s3 = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).build()) {
            List<String> names = new ArrayList<>();
            for (Result<Item> r : s3.listObjects(ListObjectsArgs.builder().bucket(bucket)
                    .prefix("staging/uploads/" + id + "/").recursive(true).build())) {
                names.add(r.get().objectName());
            }
            names.sort(null);
            return names;
        }
    }

    private void exec(String sql, UUID id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            assertEquals(1, ps.executeUpdate());
        }
    }
}
