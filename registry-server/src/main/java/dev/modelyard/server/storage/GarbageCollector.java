package dev.modelyard.server.storage;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.lease.Leases;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Removes what interrupted or abandoned work left behind: blobs no artifact and no delta references
 * (a delta goes with its target artifact, and its blob is then collected here), stored
 * objects with no ledger row (a crash between storing and committing), stale staging files, and
 * the staged bytes of resumable uploads whose session is gone.
 * <p>
 * The scheduled pass runs under the lease {@value #LEASE}, so with several replicas one of them
 * collects per interval. A pass started by hand ({@link #collect()}) runs regardless and is still
 * safe next to another: blob rows are claimed with {@code FOR UPDATE SKIP LOCKED} and every
 * deletion is idempotent.
 */
@ApplicationScoped
public class GarbageCollector {

    private static final Logger LOG = Logger.getLogger(GarbageCollector.class);
    private static final int BATCH = 100;
    /** The lease key of the scheduled pass. */
    public static final String LEASE = "storage.gc";

    private final EntityManager em;
    private final TenantContext tenants;
    private final BlobStore store;
    private final StagingArea staging;
    private final UploadStaging uploads;
    private final Leases leases;
    private final ModelyardConfig config;
    private final Clock clock;

    public GarbageCollector(EntityManager em, BlobStore store, StagingArea staging, UploadStaging uploads, Leases leases,
                            ModelyardConfig config, Clock clock, TenantContext tenants) {
        this.uploads = uploads;
        this.leases = leases;
        this.tenants = tenants;
        this.em = em;
        this.store = store;
        this.staging = staging;
        this.config = config;
        this.clock = clock;
    }

    /** What one pass removed. */
    public record Report(int blobs, int orphanObjects, int stagingFiles, int uploadSessions) {
    }

    @Scheduled(every = "${modelyard.storage.gc-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            leases.runIfHolder(LEASE, Leases.every(config.storage().gcInterval()), () -> {
                Report r = collect();
                if (r.blobs() + r.orphanObjects() + r.stagingFiles() + r.uploadSessions() > 0) {
                    LOG.infof("garbage collection removed %d unreferenced blobs, %d orphan objects, %d staging files,"
                            + " the staged bytes of %d gone upload sessions",
                            r.blobs(), r.orphanObjects(), r.stagingFiles(), r.uploadSessions());
                }
            });
        } catch (Exception e) {
            LOG.warn("garbage collection failed; it will run again", e);
        }
    }

    /**
     * Runs across tenants: blobs are content-addressed and shared, so a blob is garbage only when
     * no tenant's artifact refers to it.
     */
    public Report collect() throws IOException {
        try {
            return tenants.acrossTenants(() -> {
                try {
                    return collectAll();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private Report collectAll() throws IOException {
        Instant cutoff = clock.instant().minus(config.storage().gcGrace());
        int blobs = collectUnreferencedBlobs(cutoff);
        int orphans = collectOrphanObjects(cutoff);
        int stagingFiles = staging.sweep(cutoff, f -> f.getFileName().toString().startsWith("session-"));
        int sessions = uploads.sweep(cutoff, this::sessionExists);
        return new Report(blobs, orphans, stagingFiles, sessions);
    }

    private boolean sessionExists(java.util.UUID session) {
        return QuarkusTransaction.requiringNew().call(() ->
                !em.createNativeQuery("SELECT 1 FROM upload_session WHERE id = ?1").setParameter(1, session)
                        .getResultList().isEmpty());
    }

    private int collectUnreferencedBlobs(Instant cutoff) {
        int total = 0;
        int removed;
        do {
            removed = QuarkusTransaction.requiringNew().call(() -> {
                @SuppressWarnings("unchecked")
                List<String> claimed = em.createNativeQuery("""
                        SELECT b.sha256 FROM blob b
                        WHERE b.touched_at < ?1
                          AND NOT EXISTS (SELECT 1 FROM artifact a WHERE a.sha256 = b.sha256)
                          AND NOT EXISTS (SELECT 1 FROM artifact_delta d WHERE d.blob_sha256 = b.sha256)
                        LIMIT ?2 FOR UPDATE SKIP LOCKED""")
                        .setParameter(1, cutoff).setParameter(2, BATCH).getResultList();
                for (String sha : claimed) {
                    // Delete the bytes while the row is locked: a concurrent upload of the same
                    // bytes waits on the lock and then writes a fresh row and object.
                    store.delete(sha);
                    em.createNativeQuery("DELETE FROM blob WHERE sha256 = ?1").setParameter(1, sha).executeUpdate();
                }
                return claimed.size();
            });
            total += removed;
        } while (removed == BATCH);
        return total;
    }

    private int collectOrphanObjects(Instant cutoff) throws IOException {
        List<String> candidates = new ArrayList<>();
        store.forEachWrittenBefore(cutoff, candidates::add);
        int removed = 0;
        for (String sha : candidates) {
            boolean known = QuarkusTransaction.requiringNew().call(() ->
                    !em.createNativeQuery("SELECT 1 FROM blob WHERE sha256 = ?1").setParameter(1, sha)
                            .getResultList().isEmpty());
            if (!known) {
                store.delete(sha);
                removed++;
            }
        }
        return removed;
    }
}
