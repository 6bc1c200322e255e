package dev.modelyard.server.upload;

import static dev.modelyard.server.Api.publisher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.storage.StagingArea;
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
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What a crash leaves in staging and in the upload sessions is removed when the server starts
 * ({@link CrashLeftovers#atStart} runs {@link CrashLeftovers#removeLeftovers} with this process'
 * start time); what a live request, here or on another replica, may still need is kept.
 */
@QuarkusTest
class CrashLeftoversTest {

    @Inject
    CrashLeftovers leftovers;

    @Inject
    StagingArea staging;

    @Inject
    AgroalDataSource db;

    @ConfigProperty(name = "quarkus.http.body.uploads-directory")
    String multipart;

    @Test
    void crashLeftoversGoLiveDataStays() throws Exception {
        String m = Api.createModel("leftovers");
        Api.createVersion(m, "1.0.0");
        String live = openWithData(m, "live.onnx");
        String lost = openWithData(m, "lost.onnx");
        String elsewhere = openWithData(m, "elsewhere.onnx");
        String empty = publisher().post("/api/v1/models/" + m + "/versions/1.0.0/uploads?filename=empty.onnx")
                .then().statusCode(201).extract().path("url");
        // The disk lost the bytes of one session; another session's bytes are on another replica's disk.
        Files.delete(staging.sessionFile(idOf(lost)));
        Files.delete(staging.sessionFile(idOf(elsewhere)));
        sql("UPDATE upload_session SET staging_id = 'another-replica' WHERE id = ?", idOf(elsewhere));

        Instant start = Instant.now();
        Instant beforeStart = start.minus(1, ChronoUnit.HOURS);
        Path crashedUpload = file(staging.dir().resolve("upload-" + UUID.randomUUID() + ".part"), beforeStart);
        Path orphanData = file(staging.sessionFile(UUID.randomUUID()), beforeStart);
        Path crashedForm = file(Path.of(multipart).resolve(UUID.randomUUID().toString()), beforeStart);
        Path runningUpload = file(staging.dir().resolve("upload-" + UUID.randomUUID() + ".part"), start.plusSeconds(1));
        // A live session's data file may be old: its session exists, so it stays.
        Files.setLastModifiedTime(staging.sessionFile(idOf(live)), FileTime.from(beforeStart));

        CrashLeftovers.Report report = leftovers.removeLeftovers(start);

        assertFalse(Files.exists(crashedUpload), "a single upload's file from before the start");
        assertFalse(Files.exists(orphanData), "a resumable upload's data without a session");
        assertFalse(Files.exists(crashedForm), "a form upload's file from before the start");
        publisher().get(lost).then().statusCode(404);
        // Other tests of this run may have left more of the same kind (e.g. data of sessions whose version was deleted).
        assertTrue(report.files() >= 3 && report.sessions() >= 1, report.toString());

        assertTrue(Files.exists(runningUpload), "a file written since the start may be a running request's");
        publisher().get(live).then().statusCode(200).body("offset", org.hamcrest.Matchers.equalTo(3));
        publisher().get(elsewhere).then().statusCode(200);
        publisher().get(empty).then().statusCode(200);
        assertEquals(3, Files.size(staging.sessionFile(idOf(live))), "the live session's data");
    }

    private static String openWithData(String m, String filename) {
        String url = publisher().post("/api/v1/models/" + m + "/versions/1.0.0/uploads?filename=" + filename)
                .then().statusCode(201).extract().path("url");
        publisher().contentType("application/offset+octet-stream").header("Upload-Offset", 0).body(new byte[]{1, 2, 3})
                .patch(url).then().statusCode(204);
        return url;
    }

    private static UUID idOf(String url) {
        return UUID.fromString(url.substring(url.lastIndexOf('/') + 1));
    }

    private static Path file(Path path, Instant modified) throws Exception {
        Files.createDirectories(path.getParent());
        Files.write(path, new byte[]{7});
        Files.setLastModifiedTime(path, FileTime.from(modified));
        return path;
    }

    private void sql(String statement, UUID id) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }
}
