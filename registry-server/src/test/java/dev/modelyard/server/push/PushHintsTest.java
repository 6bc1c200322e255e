package dev.modelyard.server.push;

import static dev.modelyard.server.Api.publisher;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push hints against the real broker: an assignment publishes exactly one hint per assigned
 * device with its state version, none for others, paced by {@code max-per-second}. Controller ids
 * carry a random run id, so parallel runs on one broker do not read each other's hints.
 */
@QuarkusTest
@TestProfile(PushHintsTest.PushOn.class)
class PushHintsTest {

    /** Small enough that 30 hints take at least 1.45 s. */
    static final int RATE = 20;
    /** What a device reports, so the assignment finds an artifact for it. */
    static final Map<String, String> X86 = Map.of("arch", "x86_64", "accelerators", "", "runtime.onnxruntime", "1.20.0",
            "memory.mb", "8192", "os", "linux");

    public static class PushOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("modelyard.push.mqtt.url", MqttInbox.BROKER,
                    "modelyard.push.max-per-second", Integer.toString(RATE));
        }
    }

    private static final String RUN = "push" + UUID.randomUUID().toString().substring(0, 8);
    private static MqttInbox inbox;

    @Inject
    PushHints push;

    @Inject
    AgroalDataSource db;

    @BeforeAll
    static void subscribe() throws Exception {
        inbox = new MqttInbox("default/devices/+/notify");
    }

    @AfterAll
    static void unsubscribe() throws Exception {
        inbox.close();
    }

    private static String topic(String device) {
        return "default/devices/" + device + "/notify";
    }

    private static List<String> devices(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = RUN + "-" + prefix + "-" + i;
            publisher().contentType(ContentType.JSON).body(Map.of("controllerId", id, "attributes", X86))
                    .post("/api/v1/devices").then().statusCode(201);
            ids.add(id);
        }
        return ids;
    }

    private static String publishedModel() {
        String m = Api.modelWithArtifact("push", "1.0.0", Api.onnxModel(1));
        publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, "1.0.0").then().statusCode(200);
        return m;
    }

    private static void assign(String model, List<String> devices) {
        publisher().contentType(ContentType.JSON)
                .body(Map.of("model", model, "version", "1.0.0", "devices", devices, "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201)
                .body("assigned", org.hamcrest.Matchers.equalTo(devices.size()));
    }

    private long stateVersion(String controllerId) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT state_version FROM device WHERE controller_id = ?")) {
            ps.setString(1, controllerId);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), controllerId);
                return rs.getLong(1);
            }
        }
    }

    /** The hints of this run's devices whose names start with one of the prefixes. */
    private static List<MqttInbox.Message> ofThisRun(String... prefixes) {
        String devices = "(" + String.join("|", prefixes) + ")-\\d+";
        return inbox.all().stream().filter(m -> m.topic().matches("[^/]+/devices/" + RUN + "-" + devices + "/notify")).toList();
    }

    @Test
    void anAssignmentHintsExactlyTheAssignedDevicesWithTheirStateVersion() throws Exception {
        Api.await("the server connected to the broker", Duration.ofSeconds(60), push::connected);
        String model = publishedModel();
        List<String> assigned = devices("a", 2);
        String other = devices("other", 1).get(0);
        assign(model, assigned);
        for (String d : assigned) Api.await("the hint for " + d, Duration.ofSeconds(60), () -> !inbox.on(topic(d)).isEmpty());

        // A later hint marks the point by which anything for the other device would have come:
        // one publisher thread sends in commit order on one connection, and the broker keeps that order.
        String marker = devices("marker", 1).get(0);
        assign(model, List.of(marker));
        Api.await("the marker's hint", Duration.ofSeconds(60), () -> !inbox.on(topic(marker)).isEmpty());

        for (String d : assigned) {
            List<MqttInbox.Message> hints = inbox.on(topic(d));
            assertEquals(1, hints.size(), "hints for " + d + ": " + hints);
            assertEquals("{\"v\":" + stateVersion(d) + "}", hints.get(0).payload());
        }
        assertTrue(inbox.on(topic(other)).isEmpty(), "the unassigned device got " + inbox.on(topic(other)));
        List<String> hinted = ofThisRun("a", "other", "marker").stream().map(MqttInbox.Message::topic).distinct().sorted().toList();
        assertEquals(List.of(topic(assigned.get(0)), topic(assigned.get(1)), topic(marker)), hinted);
    }

    @Test
    void hintsAreSpreadAtTheConfiguredRateAndNoneIsLost() throws Exception {
        Api.await("the server connected to the broker", Duration.ofSeconds(60), push::connected);
        String model = publishedModel();
        int n = 30;
        List<String> fleet = devices("paced", n);
        long start = System.nanoTime();
        assign(model, fleet);
        Api.await("a hint for each of the " + n + " devices", Duration.ofSeconds(120),
                () -> fleet.stream().allMatch(d -> !inbox.on(topic(d)).isEmpty()));
        long last = IntStream.range(0, n).mapToLong(i -> inbox.on(topic(fleet.get(i))).get(0).receivedAtNanos()).max().orElseThrow();
        long elapsedMillis = (last - start) / 1_000_000;
        // At 20 per second the 30th hint cannot leave before 29 intervals; a slow machine only adds to it.
        long floor = (n - 1) * 1000L / RATE;
        assertTrue(elapsedMillis >= floor, n + " hints arrived within " + elapsedMillis + " ms, faster than " + RATE + "/s allows");
        for (String d : fleet) assertEquals(1, inbox.on(topic(d)).size(), d);
    }
}
