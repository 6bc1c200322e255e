package dev.modelyard.server.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.tenant.TenantContext;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A build that throws an Error (an OutOfMemoryError on a model too large for the heap) is a
 * failed attempt like any other: recorded on its row, and the builder goes on with the next.
 */
@QuarkusTest
class DeltaWorkersFailureTest {

    @Inject
    AgroalDataSource db;
    @Inject
    DeltaWorkers workers;
    @Inject
    DeltaConfig config;
    @Inject
    TenantContext tenants;

    @Test
    void anErrorInABuildIsRecordedAndTheBuilderGoesOn() throws Exception {
        String m = Api.createModel("delta-oom");
        DeltaFixtures.publishVersion(m, "1.0.0", DeltaFixtures.model(61, 0.25f));
        String target = DeltaFixtures.artifactId(m, "1.0.0");
        // A build on its last attempt, claimed by this test: its lease is far off, so no builder of this replica takes it.
        UUID id = UUID.randomUUID();
        Instant lease = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MICROS);
        int attempt = config.maxAttempts();
        DeltaFixtures.exec(db, "INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, status, requested_by,"
                        + " target_size, attempts, lease_until) VALUES (?::uuid, 'default', ?::uuid, ?, 'BUILDING', 'api', 1, ?, ?)",
                id.toString(), target, "ab".repeat(32), attempt, Timestamp.from(lease));

        // Returns normally: the poll loop that called it goes on with the next build.
        // As the poll loop runs it: as the row's tenant.
        tenants.runAs("default", () -> workers.execute(new DeltaQueue.Claim(id, "default", attempt, false, lease), c -> {
            throw new OutOfMemoryError("Java heap space");
        }));

        DeltaFixtures.Row row = DeltaFixtures.row(db, id);
        assertEquals("FAILED", row.status(), row.toString());
        assertEquals(attempt, row.attempts());
        assertTrue(row.error().contains("OutOfMemoryError: Java heap space"), row.error());
    }
}
