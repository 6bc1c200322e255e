package dev.modelyard.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A disabled tenant's background work waits, and catches up when it is enabled again. */
@QuarkusTest
class DisabledTenantTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    AgroalDataSource db;

    private static void setEnabled(String tenant, boolean enabled) {
        Teams.systemAdmin().contentType(ContentType.JSON).body(Map.of("enabled", enabled))
                .patch("/api/v1/tenants/{id}", tenant).then().statusCode(200);
    }

    /** A copy of an existing job, queued and due since {@code due}. */
    private long queueCopy(String jobId, Instant due) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO conversion_job (tenant, version_id, source_artifact_id, profile_id, profile_name, spec,
                    filename, idempotency_key, status, attempts, max_attempts, timeout_seconds, next_run_at,
                    created_at, updated_at, created_by)
                SELECT tenant, version_id, source_artifact_id, profile_id, profile_name, spec, filename, ?, 'QUEUED', 0,
                    max_attempts, timeout_seconds, ?, now(), now(), created_by
                FROM conversion_job WHERE id = ? RETURNING id""")) {
            ps.setString(1, HexFormat.of().formatHex(UUID.randomUUID().toString().repeat(2).getBytes(), 0, 32));
            ps.setTimestamp(2, Timestamp.from(due));
            ps.setLong(3, Long.parseLong(jobId));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getLong(1);
            }
        }
    }

    private int attempts(long job) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT attempts FROM conversion_job WHERE id = ?")) {
            ps.setLong(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDisabledTenantsJobsWaitAndRunOnceItIsEnabledAgain() throws Exception {
        Teams.Team off = Teams.team("jobs-off");
        Teams.Team on = Teams.team("jobs-on");
        setEnabled(off.tenant(), false);
        try {
            // Workers take due jobs oldest first: the disabled tenant's job is ahead of the other one,
            // so once the other one has been taken, the disabled tenant's was passed over.
            Instant longAgo = Instant.parse("2000-01-01T00:00:00Z");
            long waiting = queueCopy(off.values().get("job"), longAgo);
            long sentinel = queueCopy(on.values().get("job"), longAgo.plus(Duration.ofDays(1)));
            Api.await("the enabled tenant's job to be taken", PATIENCE, () -> attempts(sentinel) > 0);
            assertEquals(0, attempts(waiting), "the disabled tenant's job is not taken");
            try (Connection c = db.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT status FROM conversion_job WHERE id = ?")) {
                ps.setLong(1, waiting);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("QUEUED", rs.getString(1));
                }
            }

            setEnabled(off.tenant(), true);
            Api.await("the job to run once its tenant is enabled again", PATIENCE, () -> attempts(waiting) > 0);
        } finally {
            setEnabled(off.tenant(), true);
        }
    }

    @Test
    void enablingATenantAgainRenewsItsSignedMetadataAtOnce() throws Exception {
        Teams.Team team = Teams.team("renew-on-enable");
        setEnabled(team.tenant(), false);
        // While it was disabled, renewal skipped it: its metadata is due (here: signed by a retired key).
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE artifact_release SET key_id = 'retired' WHERE tenant = ?")) {
            ps.setString(1, team.tenant());
            assertTrue(ps.executeUpdate() >= 1);
        }

        setEnabled(team.tenant(), true);

        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM artifact_release WHERE tenant = ? AND key_id = 'retired'")) {
            ps.setString(1, team.tenant());
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "every release was signed again when the tenant was enabled");
            }
        }
        String url = "/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx/signed-metadata";
        team.as().get(url, team.model()).then().statusCode(200);
    }
}
