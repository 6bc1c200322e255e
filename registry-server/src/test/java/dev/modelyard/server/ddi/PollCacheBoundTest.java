package dev.modelyard.server.ddi;

import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.OperatorSettingsProfile;
import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import dev.modelyard.server.device.DeviceChangeFeed;
import dev.modelyard.server.device.DeviceTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With room for two devices in the poll caches, five devices polling in turn keep evicting each
 * other: every answer must still be the device's own and current, and the caches stay bounded.
 */
@QuarkusTest
@TestProfile(OperatorSettingsProfile.class)
class PollCacheBoundTest {

    @Inject
    DeviceChangeFeed feed;

    @Inject
    DeviceTokens tokens;

    @Inject
    DdiService ddi;

    @Inject
    DdiFastPoll fast;

    @Inject
    AgroalDataSource db;

    private static String answer(Dev d) {
        return d.as().accept("application/hal+json").get(d.path()).then().statusCode(200).extract().asString();
    }

    @Test
    void evictedDevicesGetTheirOwnCurrentAnswer() throws Exception {
        Api.await("the change feed", Duration.ofSeconds(60), feed::live);
        List<Dev> devices = new ArrayList<>();
        for (int i = 0; i < 5; i++) devices.add(device("bound"));
        for (int round = 0; round < 3; round++) {
            for (Dev d : devices) {
                String body = answer(d);
                assertTrue(body.contains("/controller/v1/" + d.id() + "/"), "the device's own links: " + body);
                assertTrue(body.contains("configData"), body);
            }
        }
        assertTrue(tokens.cachedTokens() <= 2, "tokens cached: " + tokens.cachedTokens());
        assertTrue(ddi.cachedAnswers() <= 2, "answers cached: " + ddi.cachedAnswers());

        // A device polling twice in a row is answered from memory the second time.
        Dev last = devices.get(4);
        answer(last);
        long before = fast.answered();
        answer(last);
        assertTrue(fast.answered() > before, "the second poll was answered on the I/O thread");

        // A change to an evicted device, made elsewhere, is in its next answer.
        Dev first = devices.get(0);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE device SET attributes_requested = false, state_version = state_version + 1 WHERE controller_id = ?")) {
            ps.setString(1, first.id());
            assertEquals(1, ps.executeUpdate());
        }
        Api.await("the change in the evicted device's answer", Duration.ofSeconds(60), () -> !answer(first).contains("configData"));
        for (Dev d : devices.subList(1, 5)) assertTrue(answer(d).contains("configData"));
    }
}
