package dev.modelyard.server.conversion.job;

import static dev.modelyard.server.Api.viewer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.server.Api;
import dev.modelyard.server.conversion.TestModels;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A conversion adds an artifact to a version devices may already be given, and fires no
 * publication: its compressed full file is planned when it is added, as a publication plans its
 * version's artifacts.
 */
@QuarkusTest
class ConversionDeltaTest {

    @Inject
    AgroalDataSource db;

    @Test
    void theResultOfAConversionOfAPublishedVersionGetsItsDeltasPlanned() throws Exception {
        // Above modelyard.delta.min-size (64 KiB): 128 × 256 weights.
        byte[] onnx = TestModels.bytes(TestModels.mlp(128, 256, 4, 51));
        String m = Api.modelWithArtifact("conv-delta", "1.0.0", onnx);
        Conversions.publish(m, "1.0.0");

        long job = Conversions.requestOne(m, "1.0.0", Conversions.adHoc("copy",
                Conversions.command(60, "onnx", "/bin/cp", "{input}", "{output}"), Map.of("format", "onnx", "arch", "x86_64")));
        JsonPath done = Conversions.await(job, "succeeded", Duration.ofSeconds(120));
        String converted = viewer().get(done.getString("resultUrl")).then().statusCode(200).extract().jsonPath().getString("id");

        assertEquals(List.of("-:publication"), plannedFor(converted),
                "the converted artifact's compressed full file is queued (no device has a file of this model installed yet)");
    }

    /** The planned deltas of an artifact as base (- for none) and who asked. */
    private List<String> plannedFor(String artifactId) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT coalesce(base_sha256, '-'), requested_by FROM artifact_delta WHERE target_artifact_id = ?::uuid ORDER BY 1")) {
            ps.setString(1, artifactId);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1).strip() + ":" + rs.getString(2));
            }
            return out;
        }
    }
}
