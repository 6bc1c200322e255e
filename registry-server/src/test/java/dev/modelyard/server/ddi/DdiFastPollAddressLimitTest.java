package dev.modelyard.server.ddi;

import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import dev.modelyard.server.device.DeviceChangeFeed;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * With a per-address limit for DDI requests, the I/O-thread poll runs after that limit: a device
 * whose answer is cached is refused 429 like any other request from its address once the
 * address is over its rate. (Without one, the default, it runs before the security handlers;
 * {@link DdiFastPollTest} checks that its answers are still the REST path's.)
 */
@QuarkusTest
@TestProfile(DdiFastPollAddressLimitTest.AddressLimit.class)
class DdiFastPollAddressLimitTest {

    public static class AddressLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A burst the first polls stay within, then one poll per 100 s: the test's polls soon
            // exceed it and stay over it, however slow the machine.
            return Map.of("modelyard.limits.ddi.per-address.per-second", "0.01",
                    "modelyard.limits.ddi.per-address.burst", "20");
        }
    }

    @Inject
    DdiFastPoll fast;

    @Inject
    DeviceChangeFeed feed;

    @Test
    void aCachedPollIsStillLimitedByItsAddress() throws InterruptedException {
        assertEquals(DdiFastPoll.ORDER_AFTER_ADDRESS_LIMIT, fast.order());
        Api.await("the change feed", Duration.ofSeconds(60), feed::live);
        Dev d = device("fast-address");
        long before = fast.answered();
        AtomicReference<Response> refused = new AtomicReference<>();
        Api.await("a poll refused for its address", Duration.ofSeconds(120), () -> {
            Response r = d.as().accept("application/hal+json").get(d.path());
            if (r.statusCode() == 429) refused.set(r);
            return refused.get() != null;
        });
        assertTrue(fast.answered() > before, "polls before the refusal were answered on the I/O thread");
        assertNotNull(refused.get().header("Retry-After"));
        long answered = fast.answered();
        assertEquals(429, d.as().accept("application/hal+json").get(d.path()).statusCode(), "still over the rate");
        assertEquals(answered, fast.answered(), "the refused poll never reached the I/O-thread answer");
    }
}
