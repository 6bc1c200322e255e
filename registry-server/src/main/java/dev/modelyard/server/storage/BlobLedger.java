package dev.modelyard.server.storage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.time.Clock;

/**
 * Puts verified bytes into the blob store so that garbage collection cannot race with them.
 *
 * <p>The ledger row is written (or its {@code touched_at} refreshed) in its own committed
 * transaction <em>before</em> the bytes are stored: the collector only removes blobs untouched
 * for the grace period, so the caller has that long to commit the row that references it.
 */
@ApplicationScoped
public class BlobLedger {

    private final EntityManager em;
    private final BlobStore store;
    private final Clock clock;

    public BlobLedger(EntityManager em, BlobStore store, Clock clock) {
        this.em = em;
        this.store = store;
        this.clock = clock;
    }

    /** Stores {@code staged} under its digest (once, however many artifacts share it). Consumes the file. */
    public void store(StagedFile staged) throws IOException {
        touch(staged.sha256(), staged.size());
        store.put(staged.sha256(), staged.path());
    }

    private void touch(String sha256, long size) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                INSERT INTO blob (sha256, size, created_at, touched_at) VALUES (?1, ?2, ?3, ?3)
                ON CONFLICT (sha256) DO UPDATE SET touched_at = EXCLUDED.touched_at""")
                .setParameter(1, sha256).setParameter(2, size).setParameter(3, clock.instant())
                .executeUpdate());
    }
}
