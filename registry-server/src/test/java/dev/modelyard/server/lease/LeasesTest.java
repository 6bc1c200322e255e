package dev.modelyard.server.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A pass under a lease runs on one holder at a time, is skipped right after another ran it, and survives a dead holder. */
@QuarkusTest
class LeasesTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Inject
    Leases leases;
    @Inject
    Replica replica;
    @Inject
    AgroalDataSource db;

    @Test
    void aSecondHolderSkipsWhileTheFirstRuns() throws Exception {
        String key = Api.uniqueName("lease-busy");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> {
            try {
                return leases.runIfHolder(key, Duration.ZERO, () -> {
                    runs.incrementAndGet();
                    inside.countDown();
                    assertTrue(leave.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(inside.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the first pass started");

        assertFalse(leases.runIfHolder(key, Duration.ZERO, runs::incrementAndGet), "skipped while another holds the lease");
        leave.countDown();
        assertTrue(first.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1, runs.get());

        // Without an interval rule the next pass runs as soon as the lease is free.
        assertTrue(leases.runIfHolder(key, Duration.ZERO, runs::incrementAndGet));
        assertEquals(2, runs.get());
        assertEquals(2L, (Long) row(key, "runs"));
        assertEquals(replica.id(), row(key, "holder"));
    }

    @Test
    void aPassDoneMomentsAgoIsNotDoneAgain() throws Exception {
        String key = Api.uniqueName("lease-every");
        AtomicInteger runs = new AtomicInteger();
        assertTrue(leases.runIfHolder(key, Duration.ofHours(1), runs::incrementAndGet));
        assertFalse(leases.runIfHolder(key, Duration.ofHours(1), runs::incrementAndGet), "another replica's schedule would skip it");
        assertEquals(1, runs.get());
        assertEquals(1L, (Long) row(key, "runs"));
    }

    @Test
    void aFailedPassIsNotRecordedAsDone() throws Exception {
        String key = Api.uniqueName("lease-fail");
        try {
            leases.runIfHolder(key, Duration.ofHours(1), () -> {
                throw new IllegalStateException("the pass failed");
            });
        } catch (IllegalStateException expected) {
            // rethrown to the scheduler, which logs it
        }
        AtomicInteger runs = new AtomicInteger();
        assertTrue(leases.runIfHolder(key, Duration.ofHours(1), runs::incrementAndGet), "tried again, and the lock was released");
        assertEquals(1, runs.get());
    }

    @Test
    void aHolderWhoseConnectionDiedHoldsNothing() throws Exception {
        String key = Api.uniqueName("lease-dead");
        AtomicInteger runs = new AtomicInteger();
        // Another replica takes the lease the way Leases does, then dies: its connection ends.
        Connection other = db.getConnection();
        try (PreparedStatement ps = other.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
            ps.setString(1, "modelyard.lease:" + key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertTrue(rs.getBoolean(1));
            }
        }
        assertFalse(leases.runIfHolder(key, Duration.ZERO, runs::incrementAndGet), "held by the other replica");
        try (PreparedStatement ps = other.prepareStatement("SELECT pg_terminate_backend(pg_backend_pid())")) {
            ps.execute();
        } catch (java.sql.SQLException terminated) {
            // the server ended the session, as a crashed replica's
        }
        other.close();
        Api.await("the lease to be free after its holder's connection ended", WAIT, () -> {
            try {
                return leases.runIfHolder(key, Duration.ZERO, runs::incrementAndGet);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(1, runs.get());
    }

    private Object row(String key, String column) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM lease WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "the lease row of " + key);
                return rs.getObject(1);
            }
        }
    }
}
