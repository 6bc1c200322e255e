package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Deployments;
import dev.modelyard.testing.OnnxModels;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher's self-test vectors travel signed to the device, which runs them before a swap;
 * a version failing them is refused, and so is one whose signed metadata has expired. Either way
 * the running model is untouched and the reason is in the server's action history.
 */
class SelfTestE2ETest {

    /** The device's explicit tolerance of clock differences: the expired release below is far outside it. */
    static final String SKEW = "clock.skew=5m";

    @TempDir
    Path work;

    /** Expects {@code y = x + expectedBias} for x = [1, 2, 3, 4]. */
    private static Map<String, Object> expecting(float expectedBias) {
        return Map.of("tolerance", 0.001, "cases", List.of(Map.of("name", "ramp",
                "inputs", Map.of("x", Map.of("dtype", "float32", "shape", List.of(1, 4), "data", List.of(1, 2, 3, 4))),
                "outputs", Map.of("y", Map.of("dtype", "float32", "shape", List.of(1, 4),
                        "data", List.of(1 + expectedBias, 2 + expectedBias, 3 + expectedBias, 4 + expectedBias))))));
    }

    @Test
    void failingVectorsAndExpiredMetadataAreRefusedAndTheModelKeepsServing() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_selftest",
                // Generous lifetimes; the server's renewal must not sign the expired release again during the test.
                Map.of("MODELYARD_SIGNING_METADATA_LIFETIME", "P30D", "MODELYARD_SIGNING_RENEW_BEFORE", "PT0S",
                        "MODELYARD_SIGNING_RENEW_INTERVAL", "24h"),
                "96m", "health.window=0s", SKEW)) {
            rig.startUpdater();
            rig.awaitAttributes();
            rig.release("1.0.0", OnnxModels.addBias(1, 1, 1, 1), expecting(1));
            rig.deploy("1.0.0");
            rig.awaitServed("1.0.0");
            Deployments.Action passed = rig.awaitClosed("1.0.0", DeviceRig.WAIT);
            assertEquals("finished", passed.status(), "vectors the model meets let it in");
            // The server learns the self-test's outcome with the closing feedback (no health window here).
            assertEquals("passed", rig.health(passed.id()).selfTest());
            assertTrue(rig.health(passed.id()).complete());

            // Published with vectors that a model adding 2 cannot meet.
            rig.release("2.0.0", OnnxModels.addBias(2, 2, 2, 2), expecting(3));
            rig.deploy("2.0.0");
            Deployments.Action refused = rig.awaitClosed("2.0.0", DeviceRig.WAIT);
            assertEquals("error", refused.status(), refused + "\n" + rig.updaterLog());
            String reason = refused.reason();
            assertTrue(reason.contains("self-test failed: case 0: output 'y'[0] is 3.0, expected 4.0"), reason);
            Deployments.Health failed = rig.health(refused.id());
            assertEquals("failed", failed.selfTest(), failed.toString());
            assertEquals("2.0.0", failed.version());
            assertEquals("1.0.0", failed.replacedVersion());
            assertEquals(0, failed.requests());
            assertEquals(new DeviceRig.Answer("1.0.0", 1.0), DeviceRig.answer(rig.infer(1)));

            // Valid vectors, but signed metadata that expired an hour ago.
            rig.release("3.0.0", OnnxModels.addBias(3, 3, 3, 3), expecting(3));
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            rig.resignRelease("3.0.0", now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)));
            rig.deploy("3.0.0");
            Deployments.Action expired = rig.awaitClosed("3.0.0", DeviceRig.WAIT);
            assertEquals("error", expired.status(), expired.toString());
            assertTrue(expired.reason().contains("EXPIRED"), expired.reason());
            assertEquals(new DeviceRig.Answer("1.0.0", 1.0), DeviceRig.answer(rig.infer(1)));
            assertEquals(1, rig.closings("2.0.0"));
            assertEquals(1, rig.closings("3.0.0"));
        }
    }
}
