package dev.modelyard.server.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The tenant cache against the real tenant table, on a clock and a background executor the test
 * drives: a tenant in use is refreshed ahead of its expiry, once at a time, and another replica's
 * change (a row changed in the database) is seen by that refresh.
 */
@QuarkusTest
class TenantDirectoryTest {

    @Inject
    AgroalDataSource db;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Queue<Runnable> background = new ArrayDeque<>();

    private TenantDirectory directory() {
        return new TenantDirectory(TenantDirectory.reader(db), background::add, clock::get);
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void aTenantInUseIsRefreshedAheadOfItsExpiryOnceAtATime() throws SQLException {
        String id = tenantRow();
        TenantDirectory directory = directory();
        assertTrue(directory.find(id).orElseThrow().enabled());
        assertTrue(directory.cached(id).orElseThrow().orElseThrow().enabled());
        assertTrue(background.isEmpty(), "a young entry is not refreshed");

        advance(TenantDirectory.REFRESH_AFTER);
        setEnabled(id, false); // another replica disables the tenant
        assertTrue(directory.cached(id).orElseThrow().orElseThrow().enabled(), "the entry in hand is still valid");
        directory.cached(id);
        assertEquals(1, background.size(), "one refresh, however many reads");
        background.poll().run();

        advance(TenantDirectory.TTL.minusNanos(1));
        Optional<Optional<TenantDirectory.Entry>> refreshed = directory.cached(id);
        assertFalse(refreshed.orElseThrow().orElseThrow().enabled(), "the refresh read the change; the entry did not expire");
        assertEquals(1, background.size(), "the refreshed entry is due again by now");
    }

    @Test
    void aTenantNotReadExpires() throws SQLException {
        String id = tenantRow();
        TenantDirectory directory = directory();
        directory.find(id);
        advance(TenantDirectory.TTL);
        assertTrue(directory.cached(id).isEmpty(), "expired: the I/O thread must ask the database path");
        assertTrue(background.isEmpty());
        assertTrue(directory.find(id).isPresent());
        assertTrue(directory.cached(id).isPresent());
    }

    @Test
    void whatWasReadBeforeAnInvalidationIsNotKept() throws SQLException {
        String id = tenantRow();
        AtomicBoolean invalidateDuringRead = new AtomicBoolean(true);
        TenantDirectory[] holder = new TenantDirectory[1];
        holder[0] = new TenantDirectory(tenant -> {
            Optional<TenantDirectory.Entry> e = TenantDirectory.reader(db).apply(tenant);
            // A change committed on this replica while the old row was being read.
            if (invalidateDuringRead.getAndSet(false)) holder[0].invalidate(tenant);
            return e;
        }, background::add, clock::get);
        assertTrue(holder[0].find(id).isPresent());
        assertTrue(holder[0].cached(id).isEmpty(), "the read that an invalidation overtook is not cached");
        assertTrue(holder[0].find(id).isPresent());
        assertTrue(holder[0].cached(id).isPresent(), "the next read is");
    }

    @Test
    void aFailedRefreshLeavesTheEntryToExpire() throws SQLException {
        String id = tenantRow();
        AtomicBoolean databaseDown = new AtomicBoolean(false);
        TenantDirectory directory = new TenantDirectory(tenant -> {
            if (databaseDown.get()) throw new IllegalStateException("tenant lookup failed");
            return TenantDirectory.reader(db).apply(tenant);
        }, background::add, clock::get);
        directory.find(id);
        advance(TenantDirectory.REFRESH_AFTER);
        databaseDown.set(true);
        assertTrue(directory.cached(id).isPresent());
        background.poll().run();
        assertTrue(directory.cached(id).isPresent(), "still valid until its expiry");
        assertEquals(1, background.size(), "and a new refresh may be tried");
        advance(TenantDirectory.TTL);
        assertTrue(directory.cached(id).isEmpty());
    }

    private String tenantRow() throws SQLException {
        String id = Api.uniqueName("dir");
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO tenant (id, name, created_at, updated_at, created_by) VALUES (?, ?, now(), now(), 'test')")) {
            ps.setString(1, id);
            ps.setString(2, "Directory " + id);
            ps.executeUpdate();
        }
        return id;
    }

    private void setEnabled(String id, boolean enabled) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE tenant SET enabled = ? WHERE id = ?")) {
            ps.setBoolean(1, enabled);
            ps.setString(2, id);
            assertEquals(1, ps.executeUpdate());
        }
    }
}
