package dev.modelyard.server.ddi;

import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static dev.modelyard.server.ddi.DdiFlowTest.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import dev.modelyard.server.device.DeviceChangeFeed;
import dev.modelyard.server.device.DeviceTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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

    @Inject
    DdiService ddi;

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

    /**
     * An answer without links is the same for every device of a tenant: the cache holds it once,
     * whatever base URL a device polls with. An answer with links names its device and base.
     */
    @Test
    void idleDevicesShareOneCachedAnswer() throws Exception {
        await("the change feed", feed::live);
        Dev a = device("cache-shared");
        Dev b = device("cache-shared");
        Dev linked = device("cache-linked");
        for (Dev d : new Dev[] {a, b}) {
            stopAskingForAttributes(d);
            await("the answer without links", () -> !asksForAttributes(d));
        }
        assertTrue(asksForAttributes(linked));

        DdiService.Rendered ra = cached(a, "http://one.example/DEFAULT/controller/v1/" + a.id());
        DdiService.Rendered rb = cached(b, "http://two.example/DEFAULT/controller/v1/" + b.id());
        assertSame(ra, rb, "one answer held for both idle devices");
        assertNull(ra.base(), "an answer without links is for any base");
        assertEquals(ra.etag(), a.as().get(a.path()).then().statusCode(200).extract().header("ETag"));

        String base = "http://one.example/DEFAULT/controller/v1/" + linked.id();
        DdiService.Rendered rl = cached(linked, base);
        assertNotSame(ra, rl);
        assertEquals(base, rl.base());
        assertTrue(new String(rl.body()).contains(base + "/configData"), new String(rl.body()));
    }

    /** The device's cached answer for {@code base}, polled again until it is cached (a change notice may drop it). */
    private DdiService.Rendered cached(Dev d, String base) throws Exception {
        long id = deviceId(d);
        String hash = DeviceTokens.hash(d.token());
        java.util.concurrent.atomic.AtomicReference<DdiService.Rendered> r = new java.util.concurrent.atomic.AtomicReference<>();
        await("the cached answer of " + d.id(), () -> {
            poll(d);
            r.set(ddi.cachedPoll(id, hash, base).orElse(null));
            return r.get() != null;
        });
        return r.get();
    }

    private long deviceId(Dev d) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM device WHERE controller_id = ?")) {
            ps.setString(1, d.id());
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), d.id());
                return rs.getLong(1);
            }
        }
    }
}
