package dev.modelyard.server.delta;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;

import dev.modelyard.server.Api;
import dev.modelyard.testing.OnnxModels;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Models with versions worth a delta, devices that install them over DDI, and the delta rows as stored. */
final class DeltaFixtures {

    static final Duration DEADLINE = Duration.ofSeconds(90);
    static final Map<String, String> ATTRIBUTES = Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0", "os", "linux");

    private DeltaFixtures() {
    }

    /**
     * A real ONNX perceptron of about 100 KB (above the default min-size): versions made with the
     * same seed share every weight and differ in the output bias only, as a retrained last layer would.
     */
    static byte[] model(long seed, float bias) {
        return OnnxModels.mlp(64, 128, 2, 8, seed, bias);
    }

    /** Creates the version with {@code bytes} as {@code model.onnx} and publishes it. */
    static void publishVersion(String model, String version, byte[] bytes) {
        Api.createVersion(model, version);
        Api.upload(model, version, "model.onnx", bytes, null).then().statusCode(201);
        publisher().post("/api/v1/models/{m}/versions/{v}/publish", model, version).then().statusCode(200);
    }

    static String artifactId(String model, String version) {
        return Api.viewer().get("/api/v1/models/{m}/versions/{v}/artifacts/model.onnx", model, version).then().statusCode(200)
                .extract().path("id");
    }

    /** A device provisioned through the API that polls over DDI. */
    record Device(String id, String token) {
        String path() {
            return "/DEFAULT/controller/v1/" + id;
        }

        /** Assigns the version to this device and installs it as a device does: fetch, then report success. */
        void install(String model, String version) {
            long action = assign(model, version);
            given().header("Authorization", "TargetToken " + token).accept("application/hal+json")
                    .get(path() + "/deploymentBase/" + action).then().statusCode(200);
            given().header("Authorization", "TargetToken " + token).contentType(ContentType.JSON)
                    .body("{\"status\":{\"execution\":\"closed\",\"result\":{\"finished\":\"success\"},\"details\":[]}}")
                    .post(path() + "/deploymentBase/" + action + "/feedback").then().statusCode(200);
        }

        long assign(String model, String version) {
            JsonPath r = admin().contentType(ContentType.JSON).body(Map.of("model", model, "version", version, "device", id))
                    .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
            return r.getLong("actions[0].id");
        }
    }

    static Device device() {
        String id = Api.uniqueName("delta-dev");
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id, "attributes", ATTRIBUTES))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        return new Device(id, token);
    }

    /** A delta row as stored. */
    record Row(UUID id, String tenant, String baseSha256, UUID baseArtifact, String status, String requestedBy,
               String method, String blobSha256, Long size, long targetSize, int attempts, String error) {
    }

    static List<Row> rows(DataSource db, String targetArtifactId) {
        return query(db, "SELECT id, tenant, base_sha256, base_artifact_id, status, requested_by, method, blob_sha256, size,"
                + " target_size, attempts, error FROM artifact_delta WHERE target_artifact_id = ?::uuid ORDER BY created_at, id", targetArtifactId);
    }

    static Row row(DataSource db, UUID id) {
        List<Row> r = query(db, "SELECT id, tenant, base_sha256, base_artifact_id, status, requested_by, method, blob_sha256, size,"
                + " target_size, attempts, error FROM artifact_delta WHERE id = ?::uuid", id.toString());
        return r.isEmpty() ? null : r.get(0);
    }

    /** The delta of the target from {@code baseSha256} (null: the compressed full file), or null. */
    static Row pair(DataSource db, String targetArtifactId, String baseSha256) {
        return rows(db, targetArtifactId).stream()
                .filter(r -> baseSha256 == null ? r.baseSha256() == null : baseSha256.equals(r.baseSha256()))
                .findFirst().orElse(null);
    }

    /** Waits until the pair's delta has left the queue (ready, useless or failed) and returns it. */
    static Row settled(DataSource db, String targetArtifactId, String baseSha256) throws InterruptedException {
        Row[] last = new Row[1];
        try {
            Api.await("the delta of " + targetArtifactId + " from " + baseSha256 + " to be built", DEADLINE, () -> {
                last[0] = pair(db, targetArtifactId, baseSha256);
                return last[0] != null && List.of("READY", "USELESS", "FAILED").contains(last[0].status());
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last seen: " + last[0]);
        }
        return last[0];
    }

    private static List<Row> query(DataSource db, String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row((UUID) rs.getObject(1), rs.getString(2), trim(rs.getString(3)), (UUID) rs.getObject(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), trim(rs.getString(8)),
                            (Long) rs.getObject(9), rs.getLong(10), rs.getInt(11), rs.getString(12)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String trim(String s) {
        return s == null ? null : s.strip();
    }

    static int exec(DataSource db, String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                ps.setObject(i + 1, a instanceof Instant t ? java.sql.Timestamp.from(t) : a);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
