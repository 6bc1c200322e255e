package dev.modelyard.server.push;

import static dev.modelyard.server.Api.publisher;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** With the broker unreachable, assignments work as without push and the lost hints are counted. */
@QuarkusTest
@TestProfile(PushBrokerDownTest.NoBroker.class)
class PushBrokerDownTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("modelyard.push.mqtt.url", "tcp://127.0.0.1:" + closedPort(),
                    "modelyard.push.mqtt.reconnect-max-delay", "PT1S");
        }

        /** A loopback port nothing listens on: connecting is refused at once. */
        private static int closedPort() {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final Pattern DROPPED = Pattern.compile("(?m)^modelyard_push_dropped_total(?:\\{[^}]*})? ([0-9.eE+-]+)$");
    private static final Pattern CONNECTED = Pattern.compile("(?m)^modelyard_push_connected(?:\\{[^}]*})? ([0-9.eE+-]+)$");

    @Inject
    PushHints push;

    private static double metric(Pattern p) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = p.matcher(text);
        if (!m.find()) throw new AssertionError("no " + p + " in the metrics");
        return Double.parseDouble(m.group(1));
    }

    @Test
    void assignmentsSucceedAndTheirHintsAreCountedAsDropped() throws Exception {
        String m = Api.modelWithArtifact("nobroker", "1.0.0", Api.onnxModel(2));
        publisher().post("/api/v1/models/{m}/versions/{v}/publish", m, "1.0.0").then().statusCode(200);
        String run = "nobroker" + UUID.randomUUID().toString().substring(0, 8);
        List<String> devices = List.of(run + "-1", run + "-2", run + "-3");
        for (String d : devices) {
            publisher().contentType(ContentType.JSON).body(Map.of("controllerId", d, "attributes", PushHintsTest.X86)).post("/api/v1/devices").then().statusCode(201);
        }
        double before = metric(DROPPED);
        publisher().contentType(ContentType.JSON)
                .body(Map.of("model", m, "version", "1.0.0", "devices", devices, "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201)
                .body("assigned", org.hamcrest.Matchers.equalTo(3));
        Api.await("three dropped hints", Duration.ofSeconds(60), () -> metric(DROPPED) >= before + 3);
        assertFalse(push.connected());
        org.junit.jupiter.api.Assertions.assertEquals(0.0, metric(CONNECTED));
    }
}
