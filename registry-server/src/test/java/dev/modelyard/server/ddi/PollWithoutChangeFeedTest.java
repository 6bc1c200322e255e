package dev.modelyard.server.ddi;

import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static dev.modelyard.server.ddi.DdiFlowTest.poll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.modelyard.server.QuietReplicaProfile;
import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import dev.modelyard.server.device.DeviceChangeFeed;
import dev.modelyard.server.device.DeviceTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;

/** With the change feed off, every poll checks the database: changes show at the very next poll. */
@QuarkusTest
@TestProfile(QuietReplicaProfile.class)
class PollWithoutChangeFeedTest {

    @Inject
    AgroalDataSource db;

    @Inject
    DeviceChangeFeed feed;

    private void sql(String statement, String controllerId) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            ps.setString(1, controllerId);
            ps.execute();
        }
    }

    @Test
    void changesMadeElsewhereShowAtTheNextPoll() throws Exception {
        assertFalse(feed.live());
        Dev d = device("nofeed");
        assertNotNull(poll(d).get("_links.configData"));
        assertNotNull(poll(d).get("_links.configData"));
        sql("UPDATE device SET attributes_requested = false, state_version = state_version + 1 WHERE controller_id = ?", d.id());
        assertNull(poll(d).get("_links.configData"));
        sql("UPDATE device SET token_hash = '" + DeviceTokens.hash(DeviceTokens.newSecret()) + "' WHERE controller_id = ?", d.id());
        d.as().get(d.path()).then().statusCode(401);
    }
}
