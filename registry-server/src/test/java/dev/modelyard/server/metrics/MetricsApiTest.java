package dev.modelyard.server.metrics;

import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.device.LastSeen;
import dev.modelyard.server.signing.ReleaseSigner;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Does what a fleet does (a device polls, artifacts go up and come down, a version is deployed)
 * and reads the effect in {@code /q/metrics}. Counters are compared before and after, since
 * other tests share the server (test classes run one after another, so only this test moves
 * them). Gauges read from the database count every test's rows, so they are waited for until
 * they show a count of the tables taken at the same time (they refresh at most every
 * {@code modelyard.metrics.refresh-interval}, short in tests), and this test's own rows are
 * checked in the tables.
 */
@QuarkusTest
class MetricsApiTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final List<String> DEVICE_STATUSES = List.of("unknown", "registered", "pending", "in_sync", "error");
    private static final List<String> SEEN_AGES = List.of("under_5m", "under_1h", "under_24h", "over_24h", "never");
    private static final List<String> ACTION_STATES = List.of("running", "retrieved", "downloaded", "scheduled",
            "canceling", "canceled", "finished", "error");
    /** A device's last-seen bucket, by the exclusive boundaries the server uses (read at the database's clock). */
    private static final String SEEN_AGE = """
            CASE WHEN last_seen_at IS NULL THEN 'never'
                 WHEN last_seen_at >= now() - interval '5 minutes' THEN 'under_5m'
                 WHEN last_seen_at >= now() - interval '1 hour' THEN 'under_1h'
                 WHEN last_seen_at >= now() - interval '24 hours' THEN 'under_24h'
                 ELSE 'over_24h' END""";

    @Inject
    LastSeen lastSeen;

    @Inject
    AgroalDataSource db;

    @Inject
    ReleaseSigner signer;

    private record Dev(String id, String token) {
        RequestSpecification as() {
            return given().header("Authorization", "TargetToken " + token);
        }

        String path() {
            return "/DEFAULT/controller/v1/" + id;
        }
    }

    @Test
    void productMetricsFollowRealActivity() throws Exception {
        Api.await("the device change feed to be live", DEADLINE,
                () -> Scrape.take().value("modelyard_device_feed_connected") == 1.0);
        // Other tests' conversions would sign metadata (a counter asserted exactly below) when they finish.
        Api.await("other tests' conversion jobs to finish", DEADLINE,
                () -> count("SELECT count(*) FROM conversion_job WHERE status IN ('QUEUED', 'RUNNING')") == 0);
        lastSeen.flush(); // what other tests' devices were seen doing is written before the baseline
        Scrape before = settled();

        // A new device: never seen, unknown.
        String id = Api.uniqueName("metrics");
        String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        Dev d = new Dev(id, token);
        Api.await("the new device to be unknown and never seen", DEADLINE,
                () -> "UNKNOWN".equals(deviceColumn(id, "status")) && "never".equals(deviceColumn(id, SEEN_AGE)));
        settled();

        // Polls: the first reads the database; repeating it with the ETag answers 304, from memory
        // once the cached answer survives the device's own creation notice.
        Response first = d.as().get(d.path());
        first.then().statusCode(200);
        String etag = first.header("ETag");
        int polls = 1;
        int notModified = 0;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        do {
            assertTrue(System.nanoTime() < deadline, "no poll was answered from memory after " + polls + " polls");
            d.as().header("If-None-Match", etag).get(d.path()).then().statusCode(304);
            polls++;
            notModified++;
        } while (delta(before, Scrape.take(), "modelyard_ddi_poll_seconds_count", "source", "memory") < 1);
        Scrape polled = Scrape.take();
        assertEquals(polls, delta(before, polled, "modelyard_ddi_poll_seconds_count", "source", "memory")
                + delta(before, polled, "modelyard_ddi_poll_seconds_count", "source", "database"));
        assertTrue(delta(before, polled, "modelyard_ddi_poll_seconds_count", "source", "database") >= 1);
        assertTrue(delta(before, polled, "modelyard_ddi_poll_seconds_count", "source", "memory") >= 1);
        assertEquals(notModified, delta(before, polled, "modelyard_ddi_poll_not_modified_total"));
        assertTrue(delta(before, polled, "modelyard_ddi_poll_seconds_bucket", "source", "database", "le", "+Inf") >= 1);
        assertTrue(polled.has("modelyard_ddi_poll_seconds_bucket", "source", "memory", "le", "0.001"));

        // Once its last-seen time is written, the device is registered and seen within 5 minutes.
        lastSeen.flush();
        Api.await("the device to be registered and seen within 5 minutes", DEADLINE,
                () -> "REGISTERED".equals(deviceColumn(id, "status")) && "under_5m".equals(deviceColumn(id, SEEN_AGE)));
        settled();
        d.as().contentType(ContentType.JSON).body(Map.of("mode", "merge", "data", Map.of("arch", "x86_64",
                        "runtime.onnxruntime", "1.20.0", "os", "linux")))
                .put(d.path() + "/configData").then().statusCode(200);

        // Uploads by each method: the bytes received.
        byte[] direct = Api.onnxModel(3000, 31);
        byte[] multipart = Api.onnxModel(4000, 32);
        byte[] resumable = Api.onnxModel(5000, 33);
        String m = Api.createModel("metrics");
        Api.createVersion(m, "1.0.0");
        String artifactId = Api.upload(m, "1.0.0", "m-x86.onnx", direct, "arch=x86_64")
                .then().statusCode(201).extract().path("id");
        publisher().multiPart("file", "m-arm.onnx", multipart, "application/octet-stream").multiPart("arch", "aarch64")
                .post("/api/v1/models/" + m + "/versions/1.0.0/artifacts").then().statusCode(201);
        String session = publisher().post("/api/v1/models/" + m + "/versions/1.0.0/uploads?filename=m-armv7.onnx&arch=armv7")
                .then().statusCode(201).extract().path("url");
        publisher().contentType("application/offset+octet-stream").header("Upload-Offset", 0)
                .body(Arrays.copyOfRange(resumable, 0, 2000)).patch(session).then().statusCode(204);
        publisher().contentType("application/offset+octet-stream").header("Upload-Offset", 2000)
                .body(Arrays.copyOfRange(resumable, 2000, 5000)).patch(session).then().statusCode(204);
        publisher().put(session + "?digest=sha256:" + Api.sha256(resumable)).then().statusCode(201);
        Scrape uploaded = Scrape.take();
        assertEquals(3000, delta(before, uploaded, "modelyard_artifact_upload_bytes_total", "method", "direct"));
        assertEquals(4000, delta(before, uploaded, "modelyard_artifact_upload_bytes_total", "method", "multipart"));
        assertEquals(5000, delta(before, uploaded, "modelyard_artifact_upload_bytes_total", "method", "resumable"));

        // Management download: whole, then a range; HEAD sends no body.
        String content = "/api/v1/models/" + m + "/versions/1.0.0/artifacts/" + artifactId + "/content";
        assertArrayEquals(direct, publisher().get(content).then().statusCode(200).extract().asByteArray());
        publisher().header("Range", "bytes=0-99").get(content).then().statusCode(206);
        publisher().head(content).then().statusCode(200);
        assertEquals(3100, delta(before, Scrape.take(), "modelyard_artifact_download_bytes_total", "api", "management", "kind", "full"));

        // Publication signs the metadata of every artifact; its expiry is ahead.
        publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, "1.0.0").then().statusCode(200);
        Scrape published = Scrape.take();
        assertEquals(3, delta(before, published, "modelyard_signing_metadata_signed_total", "reason", "release"));
        Api.await("the earliest metadata expiry to be known", DEADLINE, () -> {
            double seconds = Scrape.take().value("modelyard_signing_metadata_expiry_seconds");
            return seconds > 0 && seconds <= Duration.ofDays(30).toSeconds();
        });

        // A deployment: counted once committed; the action shows as running, then retrieved.
        JsonPath assignment = publisher().contentType(ContentType.JSON).body(Map.of("model", m, "version", "1.0.0", "device", id))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
        assertEquals(1, assignment.getInt("assigned"));
        Scrape deployed = Scrape.take();
        assertEquals(1, delta(before, deployed, "modelyard_deployments_total"));
        assertEquals(1, delta(before, deployed, "modelyard_deployment_devices_total", "outcome", "assigned"));
        assertEquals(0, delta(before, deployed, "modelyard_deployment_devices_total", "outcome", "failed"));
        Api.await("the device to be pending with a running action", DEADLINE,
                () -> "PENDING".equals(deviceColumn(id, "status")) && "RUNNING".equals(actionStatus(id)));
        settled();

        // The device fetches its deployment and downloads the artifact over DDI.
        String href = d.as().get(d.path()).then().statusCode(200).extract().jsonPath().getString("_links.deploymentBase.href");
        String download = d.as().get(href).then().statusCode(200).extract().jsonPath()
                .getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        assertArrayEquals(direct, d.as().get(download).then().statusCode(200).extract().asByteArray());
        d.as().header("Range", "bytes=2990-").get(download).then().statusCode(206);
        assertEquals(3010, delta(before, Scrape.take(), "modelyard_artifact_download_bytes_total", "api", "ddi", "kind", "full"));
        Api.await("the device's action to be retrieved", DEADLINE, () -> "RETRIEVED".equals(actionStatus(id)));
        settled();

        // Conversion attempts are timed by outcome: a copy succeeds, a command that exits 3 fails.
        long copy = convert(m, "riscv64", List.of("/bin/cp", "{input}", "{output}"));
        long crash = convert(m, "armv6", List.of("/bin/sh", "-c", "exit 3", "sh", "{output}"));
        awaitJob(copy, "succeeded");
        awaitJob(crash, "failed");
        Scrape converted = Scrape.take();
        assertTrue(delta(before, converted, "modelyard_conversion_attempt_seconds_count", "outcome", "succeeded") >= 1);
        assertTrue(delta(before, converted, "modelyard_conversion_attempt_seconds_count", "outcome", "failed") >= 1);
        assertTrue(delta(before, converted, "modelyard_conversion_attempt_seconds_sum", "outcome", "succeeded") > 0);
        assertTrue(delta(before, converted, "modelyard_signing_metadata_signed_total", "reason", "release") >= 4,
                "the converted artifact of a published version is signed too");

        // A renewal run is counted with what it signed again.
        int renewed = signer.renewDue();
        Scrape renewal = Scrape.take();
        assertEquals(1, delta(before, renewal, "modelyard_signing_renewal_runs_total", "outcome", "ok"));
        assertEquals(renewed, delta(before, renewal, "modelyard_signing_metadata_signed_total", "reason", "renewal"));

        // The conversion queue's gauge matches the table; the attempt timer is there for every outcome.
        for (String state : List.of("queued", "running", "succeeded", "failed", "cancelled")) {
            // Counted again each time: other tests' jobs may still be moving through the queue.
            String sql = "SELECT count(*) FROM conversion_job WHERE status = '" + state.toUpperCase() + "'";
            Api.await("the gauge of conversion jobs " + state + " to show the table's count", DEADLINE,
                    () -> Scrape.take().value("modelyard_conversion_jobs", "state", state) == count(sql));
        }
        Scrape last = Scrape.take();
        for (String outcome : List.of("succeeded", "failed", "cancelled", "timed_out", "retry", "released", "lease_lost")) {
            assertTrue(last.has("modelyard_conversion_attempt_seconds_count", "outcome", outcome), outcome);
        }

        // The change feed: live, heard from within its heartbeat, reconnects counted.
        assertEquals(1.0, last.value("modelyard_device_feed_connected"));
        double age = last.value("modelyard_device_feed_last_message_age_seconds");
        assertFalse(Double.isNaN(age));
        assertTrue(age >= 0 && age < 60, "last message " + age + " s ago");

        // Cut the feed's connection: it comes back, and that is counted.
        double reconnects = last.value("modelyard_device_feed_reconnects_total");
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'modelyard-device-feed' AND datname = current_database()");
        }
        Api.await("the feed to reconnect", DEADLINE,
                () -> Scrape.take().value("modelyard_device_feed_reconnects_total") == reconnects + 1);
        Api.await("the feed to be live again", DEADLINE, () -> Scrape.take().value("modelyard_device_feed_connected") == 1.0);
    }

    /** Requests an ad-hoc conversion of the version's artifacts by one command step; returns the job's id. */
    private static long convert(String model, String arch, List<String> command) {
        Map<String, Object> step = Map.of("type", "command", "command", command, "timeoutSeconds", 60, "outputFormat", "onnx");
        return Api.admin().contentType(ContentType.JSON)
                .body(Map.of("name", "metrics-" + arch, "steps", List.of(step), "target", Map.of("format", "onnx", "arch", arch)))
                .post("/api/v1/models/{m}/versions/{v}/conversions", model, "1.0.0")
                .then().statusCode(202).extract().jsonPath().getLong("jobs[0].id");
    }

    private static void awaitJob(long id, String status) throws InterruptedException {
        Api.await("conversion job " + id + " " + status, DEADLINE, () -> status.equals(
                Api.viewer().get("/api/v1/conversion/jobs/{id}", id).then().statusCode(200).extract().path("status")));
    }

    /**
     * A scrape whose device and action gauges show what the tables hold now. The gauges count
     * the whole database, which other test classes' rows share (and those rows move between
     * last-seen buckets as time passes), so they are compared with a count of the tables taken
     * at the same time, never with a baseline plus this test's rows; those are checked on their
     * own.
     */
    private Scrape settled() throws InterruptedException {
        Map<String, Double> expected = Map.of();
        Map<String, Double> shown = Map.of();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            expected = tableCounts();
            Scrape s = Scrape.take();
            shown = shown(s);
            if (shown.equals(expected)) return s;
            Thread.sleep(50);
        }
        throw new AssertionError("the gauges never showed what the tables hold: " + expected + ", they showed " + shown);
    }

    /** What the gauges should show, counted from the tables as the server counts them. */
    private Map<String, Double> tableCounts() {
        Map<String, Double> counts = new TreeMap<>();
        for (String status : DEVICE_STATUSES) counts.put("modelyard_devices{status=" + status + "}", 0.0);
        for (String age : SEEN_AGES) counts.put("modelyard_devices_by_last_seen{age=" + age + "}", 0.0);
        for (String state : ACTION_STATES) counts.put("modelyard_actions{state=" + state + "}", 0.0);
        query("SELECT lower(status), count(*) FROM device GROUP BY 1",
                rs -> counts.merge("modelyard_devices{status=" + rs.getString(1) + "}", (double) rs.getLong(2), Double::sum));
        query("SELECT " + SEEN_AGE + ", count(*) FROM device GROUP BY 1",
                rs -> counts.merge("modelyard_devices_by_last_seen{age=" + rs.getString(1) + "}", (double) rs.getLong(2), Double::sum));
        query("SELECT lower(status), count(*) FROM action GROUP BY 1",
                rs -> counts.merge("modelyard_actions{state=" + rs.getString(1) + "}", (double) rs.getLong(2), Double::sum));
        return counts;
    }

    private static Map<String, Double> shown(Scrape s) {
        Map<String, Double> values = new TreeMap<>();
        for (String status : DEVICE_STATUSES) {
            values.put("modelyard_devices{status=" + status + "}", s.value("modelyard_devices", "status", status));
        }
        for (String age : SEEN_AGES) {
            values.put("modelyard_devices_by_last_seen{age=" + age + "}", s.value("modelyard_devices_by_last_seen", "age", age));
        }
        for (String state : ACTION_STATES) {
            values.put("modelyard_actions{state=" + state + "}", s.value("modelyard_actions", "state", state));
        }
        return values;
    }

    /** A column of this test's device, as text (null when SQL NULL). */
    private String deviceColumn(String controllerId, String column) {
        List<String> values = new ArrayList<>();
        query("SELECT " + column + " FROM device WHERE controller_id = '" + controllerId + "'", rs -> values.add(rs.getString(1)));
        assertEquals(1, values.size(), "device " + controllerId);
        return values.get(0);
    }

    /** The status of the single action of this test's device. */
    private String actionStatus(String controllerId) {
        List<String> values = new ArrayList<>();
        query("SELECT a.status FROM action a JOIN device d ON d.id = a.device_id WHERE d.controller_id = '" + controllerId + "'",
                rs -> values.add(rs.getString(1)));
        assertEquals(1, values.size(), "actions of " + controllerId);
        return values.get(0);
    }

    private interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, Row row) {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) row.read(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double delta(Scrape before, Scrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }

    private long count(String sql) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
