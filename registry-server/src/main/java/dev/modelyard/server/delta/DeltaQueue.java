package dev.modelyard.server.delta;

import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.live.LiveEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The build queue over {@code artifact_delta}: claims, lease renewals and the transitions a
 * builder makes. The lease's expiry is also the claim's token: every transition is guarded by
 * {@code status = 'BUILDING' AND lease_until = <the expiry this builder last wrote>}, so a builder
 * whose lease expired and was taken over can never overwrite what the new holder does. (A
 * reclaim writes a later expiry than the one that ran out, so two claims never share a token.)
 */
@ApplicationScoped
public class DeltaQueue {

    private final EntityManager em;
    private final DeltaConfig config;
    private final Clock clock;
    private final LiveEvents live;

    public DeltaQueue(EntityManager em, DeltaConfig config, Clock clock, LiveEvents live) {
        this.em = em;
        this.config = config;
        this.clock = clock;
        this.live = live;
    }

    /**
     * A build a worker holds. {@code reclaimed}: the row was BUILDING under a lease that ran out
     * (its replica died). The lease token changes with every renewal; read and write it only
     * through {@link #withLease}, which renewals and the closing transaction both take.
     */
    public static final class Claim {
        private final UUID id;
        private final String tenant;
        private final int attempt;
        private final boolean reclaimed;
        private Instant leaseUntil;

        Claim(UUID id, String tenant, int attempt, boolean reclaimed, Instant leaseUntil) {
            this.id = id;
            this.tenant = tenant;
            this.attempt = attempt;
            this.reclaimed = reclaimed;
            this.leaseUntil = leaseUntil;
        }

        public UUID id() {
            return id;
        }

        public String tenant() {
            return tenant;
        }

        public int attempt() {
            return attempt;
        }

        public boolean reclaimed() {
            return reclaimed;
        }

        synchronized <T> T withLease(java.util.function.Function<Instant, T> work) {
            return work.apply(leaseUntil);
        }

        synchronized void leaseRenewed(Instant until) {
            leaseUntil = until;
        }
    }

    /** The database keeps microseconds; a token must compare equal after the round trip. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Takes the next due build of any tenant: a pending one whose time has come, or a building
     * one whose lease expired. {@code SKIP LOCKED} lets every worker of every replica poll at once.
     * A disabled tenant's builds wait until it is enabled again. The caller runs it across tenants.
     */
    public Optional<Claim> claim() {
        Instant now = now();
        Instant until = now.plus(config.leaseDuration());
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                            UPDATE artifact_delta d
                            SET status = 'BUILDING', attempts = d.attempts + 1, lease_until = ?1
                            FROM (SELECT id, status AS was FROM artifact_delta q
                                  WHERE ((status = 'PENDING' AND not_before <= ?2)
                                      OR (status = 'BUILDING' AND lease_until < ?2))
                                    AND EXISTS (SELECT 1 FROM tenant t WHERE t.id = q.tenant AND t.enabled)
                                  ORDER BY not_before, created_at
                                  LIMIT 1 FOR UPDATE SKIP LOCKED) c
                            WHERE d.id = c.id
                            RETURNING d.id, d.tenant, d.attempts, c.was""")
                    .setParameter(1, until).setParameter(2, now).getResultList();
            if (rows.isEmpty()) return Optional.<Claim>empty();
            Object[] r = rows.get(0);
            return Optional.of(new Claim((UUID) r[0], (String) r[1], ((Number) r[2]).intValue(), "BUILDING".equals(r[3]), until));
        });
    }

    /** Extends the lease; false when it is no longer held (taken over, or the row is gone). */
    public boolean renew(Claim c) {
        return c.withLease(held -> {
            Instant until = now().plus(config.leaseDuration());
            int n = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                            UPDATE artifact_delta SET lease_until = ?1
                            WHERE id = ?2 AND status = 'BUILDING' AND lease_until = ?3""")
                    .setParameter(1, until).setParameter(2, c.id()).setParameter(3, held).executeUpdate());
            if (n == 1) c.leaseRenewed(until);
            return n == 1;
        });
    }

    /**
     * Runs {@code change} on the row in a transaction of its own while the lease is held, and
     * clears the lease with it; false (nothing changed) when the lease was lost. The lease cannot
     * be renewed meanwhile, so the token checked is the one in the database. The change is an
     * {@code artifact} live event of the target (the console's deltas re-read on it).
     */
    public boolean finish(Claim c, Consumer<DeltaArtifact> change) {
        return c.withLease(held -> QuarkusTransaction.requiringNew().call(() -> {
            DeltaArtifact d = em.find(DeltaArtifact.class, c.id(), LockModeType.PESSIMISTIC_WRITE);
            if (d == null || d.status != DeltaStatus.BUILDING || d.leaseUntil == null
                    || !d.leaseUntil.truncatedTo(ChronoUnit.MICROS).equals(held)) {
                return false;
            }
            change.accept(d);
            d.leaseUntil = null;
            Artifact target = em.find(Artifact.class, d.targetArtifactId);
            if (target != null) live.artifact(target.version.model.name, target.version.version, target.id);
            return true;
        }));
    }

    /** The row as its holder sees it, read in the caller's transaction; empty when the lease is lost. */
    public Optional<DeltaArtifact> held(Claim c) {
        return c.withLease(held -> {
            DeltaArtifact d = em.find(DeltaArtifact.class, c.id());
            if (d == null || d.status != DeltaStatus.BUILDING || d.leaseUntil == null
                    || !d.leaseUntil.truncatedTo(ChronoUnit.MICROS).equals(held)) {
                return Optional.<DeltaArtifact>empty();
            }
            return Optional.of(d);
        });
    }

    public boolean fail(Claim c, String error) {
        return finish(c, d -> {
            d.status = DeltaStatus.FAILED;
            d.error = error;
        });
    }

    /**
     * A failure that another attempt may not have (storage I/O, a blob not yet readable): pending
     * again after a delay that doubles per attempt, or FAILED once the attempts are used up.
     * Returns whether it will be retried.
     */
    public boolean retryLater(Claim c, String error) {
        if (c.attempt() >= config.maxAttempts()) {
            fail(c, "gave up after " + c.attempt() + " attempts; last error: " + error);
            return false;
        }
        Instant next = now().plus(backoff(c.attempt()));
        return finish(c, d -> {
            d.status = DeltaStatus.PENDING;
            d.error = error;
            d.notBefore = next;
        });
    }

    /** Puts a build back without counting the attempt: this replica is shutting down. */
    public boolean release(Claim c) {
        Instant now = now();
        return finish(c, d -> {
            d.status = DeltaStatus.PENDING;
            d.attempts = Math.max(0, d.attempts - 1);
            d.notBefore = now;
        });
    }

    Duration backoff(int attempt) {
        Duration d = config.retryBackoff().multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 20));
        return d.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : d;
    }
}
