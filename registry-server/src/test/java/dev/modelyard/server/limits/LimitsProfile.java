package dev.modelyard.server.limits;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Low limits and a short rate window, so the limits act within a test; used by {@link LimitsTest} only. */
public class LimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                // A stalled body is ended after one read timeout, a trickling one after a window.
                "quarkus.http.read-timeout", "PT3S",
                "modelyard.limits.bodies.window", "PT2S",
                // Ten times below the slow upload's 50 KB/s, so a busy machine cannot make it fail.
                "modelyard.limits.bodies.min-rate", "5K",
                "modelyard.limits.bodies.max-non-upload", "64K",
                "modelyard.limits.api.per-token.per-second", "20",
                "modelyard.limits.api.per-token.burst", "40",
                "modelyard.limits.ddi.per-device.per-second", "20",
                "modelyard.limits.ddi.per-device.burst", "40");
    }
}
