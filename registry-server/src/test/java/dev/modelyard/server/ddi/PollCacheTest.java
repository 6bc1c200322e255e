package dev.modelyard.server.ddi;

import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static dev.modelyard.server.ddi.DdiFlowTest.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import dev.modelyard.server.device.DeviceChangeFeed;
import dev.modelyard.server.device.DeviceTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Poll answers and tokens are cached in memory; changes written by another replica (here: plain
 * SQL on another connection) must still reach this replica's answers, with the change feed up
 * and with it down.
 */
@QuarkusTest
class PollCacheTest {

    @Inject
    AgroalDataSource db;

    @Inject
    DeviceChangeFeed feed;

    private void sql(String statement, Object... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.execute();
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        dev.modelyard.server.Api.await(what, Duration.ofSeconds(60), condition);
    }

    /** What another replica does when an operator changes what the device is asked for. */
    private void stopAskingForAttributes(Dev d) throws SQLException {
        sql("UPDATE device SET attributes_requested = false, state_version = state_version + 1 WHERE controller_id = ?", d.id());
    }

    private static boolean asksForAttributes(Dev d) {
        return poll(d).get("_links.configData") != null;
    }

    @Test
    void aChangeCommittedElsewhereReachesTheCachedAnswer() throws Exception {
        await("the change feed", feed::live);
        Dev d = device("cache");
        assertTrue(asksForAttributes(d));
        assertTrue(asksForAttributes(d), "answered from the cache");
        stopAskingForAttributes(d);
        await("the change to reach the poll answer", () -> !asksForAttributes(d));
    }

    @Test
    void aTokenReplacedElsewhereStopsWorkingHere() throws Exception {
        await("the change feed", feed::live);
        Dev d = device("cache-token");
        poll(d);
        poll(d);
        sql("UPDATE device SET token_hash = ? WHERE controller_id = ?", DeviceTokens.hash(DeviceTokens.newSecret()), d.id());
        await("the old token to be refused", () -> d.as().get(d.path()).statusCode() == 401);
        await("the old token to be refused for downloads too",
                () -> d.as().get(d.path() + "/deploymentBase/1").statusCode() == 401);
    }

    @Test
    void withoutTheFeedEveryPollChecksTheDatabaseUntilTheFeedIsBack() throws Exception {
        await("the change feed", feed::live);
        Dev d = device("cache-down");
        assertTrue(asksForAttributes(d));
        long before = feed.sequence();
        sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'modelyard-device-feed'"
                + " AND datname = current_database()");
        await("the feed to notice its connection is gone", () -> feed.sequence() != before);
        // Whether or not it is back yet, the answer reflects the database at once.
        stopAskingForAttributes(d);
        assertFalse(asksForAttributes(d));
        await("the feed to come back", feed::live);
        sql("UPDATE device SET attributes_requested = true, state_version = state_version + 1 WHERE controller_id = ?", d.id());
        await("a change after the reconnection", () -> asksForAttributes(d));
    }

    @Test
    void pollsOfAKnownDeviceAreAnsweredWithTheSameEtag() throws Exception {
        await("the change feed", feed::live);
        Dev d = device("cache-etag");
        String etag = d.as().get(d.path()).then().statusCode(200).extract().header("ETag");
        assertNotNull(etag);
        assertEquals(304, d.as().header("If-None-Match", etag).get(d.path()).statusCode());
        stopAskingForAttributes(d);
        await("a new ETag", () -> d.as().header("If-None-Match", etag).get(d.path()).statusCode() == 200);
        assertNull(poll(d).get("_links.configData"));
    }
}
