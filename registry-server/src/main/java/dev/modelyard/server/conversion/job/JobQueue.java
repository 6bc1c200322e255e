package dev.modelyard.server.conversion.job;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.conversion.ConvertingMachine;
import dev.modelyard.server.conversion.profile.ChainSpec;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.ModelVersion;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The job table's state machine. Every transition that a worker makes is guarded by the lease it
 * holds ({@code status = RUNNING and lease_owner = <its claim>}), so a worker whose lease expired
 * and was taken over can never overwrite what the new holder does.
 */
@ApplicationScoped
public class JobQueue {

    private final EntityManager em;
    private final ObjectMapper json;
    private final ModelyardConfig config;
    private final Clock clock;
    private final LiveEvents live;

    public JobQueue(EntityManager em, ObjectMapper json, ModelyardConfig config, Clock clock, LiveEvents live) {
        this.live = live;
        this.em = em;
        this.json = json;
        this.config = config;
        this.clock = clock;
    }

    /** A job and whether this request created it (false: the same conversion existed). */
    public record Enqueued(ConversionJob job, boolean created) {
    }

    /** A job a worker holds: its id, the lease token, and what the claim found. */
    public record Claim(long jobId, String tenant, String owner, int attempt, int maxAttempts, int timeoutSeconds,
                        boolean cancelRequested, boolean reclaimed, String previousOwner) {
    }

    /**
     * Adds a job in the caller's transaction, or finds the one with the same idempotency key in
     * this version. Concurrent requests for the same conversion meet on the unique key.
     */
    public Enqueued enqueue(ModelVersion v, Artifact source, Long profileId, String profileName, ChainSpec chain,
                            String filename, String by) {
        String key = chain.idempotencyKey(source.sha256, ConvertingMachine.local());
        Instant now = clock.instant();
        @SuppressWarnings("unchecked")
        List<Number> inserted = em.createNativeQuery("""
                        INSERT INTO conversion_job (tenant, version_id, source_artifact_id, profile_id, profile_name, spec,
                            filename, idempotency_key, status, attempts, max_attempts, timeout_seconds, next_run_at,
                            created_at, updated_at, created_by)
                        VALUES (?1, ?2, ?3, ?4, ?5, CAST(?6 AS jsonb), ?7, ?8, 'QUEUED', 0, ?9, ?10, ?11, ?11, ?11, ?12)
                        ON CONFLICT (version_id, idempotency_key) DO NOTHING
                        RETURNING id""")
                .setParameter(1, v.model.tenant).setParameter(2, v.id).setParameter(3, source.id)
                .setParameter(4, profileId).setParameter(5, profileName).setParameter(6, toJson(chain))
                .setParameter(7, filename).setParameter(8, key).setParameter(9, chain.maxAttempts())
                .setParameter(10, chain.timeoutSeconds()).setParameter(11, now).setParameter(12, by)
                .getResultList();
        if (!inserted.isEmpty()) {
            live.job(inserted.get(0).longValue(), JobStatus.QUEUED.wireName(), v.model.name, v.version);
            return new Enqueued(ConversionJob.findById(inserted.get(0).longValue()), true);
        }
        ConversionJob existing = ConversionJob.<ConversionJob>find("version = ?1 and idempotencyKey = ?2", v, key)
                .firstResult();
        return new Enqueued(existing, false);
    }

    /** The job with the same key in this version, if any. */
    public Optional<ConversionJob> existing(ModelVersion v, Artifact source, ChainSpec chain) {
        return ConversionJob.find("version = ?1 and idempotencyKey = ?2", v, chain.idempotencyKey(source.sha256, ConvertingMachine.local()))
                .firstResultOptional();
    }

    /**
     * Takes the next due job: a queued one whose time has come, or a running one whose lease
     * expired (its replica died). {@code SKIP LOCKED} lets every worker of every replica poll at
     * once without waiting on each other. A disabled tenant's jobs are left where they are: they
     * run once it is enabled again.
     */
    public Optional<Claim> claim(String replica) {
        String owner = replica + "#" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = clock.instant();
        Instant until = now.plus(config.conversion().leaseDuration());
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                            UPDATE conversion_job j
                            SET status = 'RUNNING', attempts = j.attempts + 1, lease_owner = ?1, lease_expires_at = ?2,
                                started_at = ?3, updated_at = ?3, next_run_at = ?3
                            FROM (SELECT id, status AS was, lease_owner AS previous FROM conversion_job q
                                  WHERE ((status = 'QUEUED' AND next_run_at <= ?3)
                                      OR (status = 'RUNNING' AND lease_expires_at < ?3))
                                    AND EXISTS (SELECT 1 FROM tenant t WHERE t.id = q.tenant AND t.enabled)
                                  ORDER BY next_run_at, id
                                  LIMIT 1 FOR UPDATE SKIP LOCKED) c
                            WHERE j.id = c.id
                            RETURNING j.id, j.attempts, j.max_attempts, j.timeout_seconds, j.cancel_requested, c.was, c.previous, j.tenant""")
                    .setParameter(1, owner).setParameter(2, until).setParameter(3, now).getResultList();
            if (rows.isEmpty()) return Optional.<Claim>empty();
            Object[] r = rows.get(0);
            live.job((String) r[7], ((Number) r[0]).longValue(), JobStatus.RUNNING.wireName());
            return Optional.of(new Claim(((Number) r[0]).longValue(), (String) r[7], owner, ((Number) r[1]).intValue(),
                    ((Number) r[2]).intValue(), ((Number) r[3]).intValue(), (Boolean) r[4], "RUNNING".equals(r[5]),
                    (String) r[6]));
        });
    }

    /** What renewing a lease found. */
    public enum Renewal { HELD, CANCEL_REQUESTED, LOST }

    public Renewal renew(Claim c) {
        Instant now = clock.instant();
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Boolean> rows = em.createNativeQuery("""
                            UPDATE conversion_job SET lease_expires_at = ?1, updated_at = ?2
                            WHERE id = ?3 AND status = 'RUNNING' AND lease_owner = ?4
                            RETURNING cancel_requested""")
                    .setParameter(1, now.plus(config.conversion().leaseDuration())).setParameter(2, now)
                    .setParameter(3, c.jobId()).setParameter(4, c.owner()).getResultList();
            if (rows.isEmpty()) return Renewal.LOST;
            return rows.get(0) ? Renewal.CANCEL_REQUESTED : Renewal.HELD;
        });
    }

    /** The job as its holder sees it; empty when the lease is no longer held. */
    public Optional<ConversionJob> held(Claim c) {
        ConversionJob j = em.find(ConversionJob.class, c.jobId(), LockModeType.PESSIMISTIC_WRITE);
        if (j == null || j.status != JobStatus.RUNNING || !c.owner().equals(j.leaseOwner)) return Optional.empty();
        return Optional.of(j);
    }

    public boolean fail(Claim c, String error) {
        return finish(c, JobStatus.FAILED, error);
    }

    public boolean cancelled(Claim c) {
        return finish(c, JobStatus.CANCELLED, "cancelled while running");
    }

    /**
     * A transient failure: queued again after a delay that doubles per attempt, or failed for
     * good once the attempts are used up.
     */
    public boolean retryLater(Claim c, String error) {
        if (c.attempt() >= c.maxAttempts()) {
            return fail(c, "gave up after " + c.attempt() + " attempts; last error: " + error);
        }
        Duration delay = backoff(c.attempt());
        return QuarkusTransaction.requiringNew().call(() -> held(c).map(j -> {
            j.status = JobStatus.QUEUED;
            j.error = error;
            j.nextRunAt = clock.instant().plus(delay);
            clearLease(j);
            changed(j);
            return true;
        }).orElse(false));
    }

    /** Puts a job back without counting the attempt: this replica is shutting down. */
    public boolean release(Claim c) {
        return QuarkusTransaction.requiringNew().call(() -> held(c).map(j -> {
            j.status = JobStatus.QUEUED;
            j.attempts = Math.max(0, j.attempts - 1);
            j.nextRunAt = clock.instant();
            clearLease(j);
            changed(j);
            return true;
        }).orElse(false));
    }

    Duration backoff(int attempt) {
        Duration base = config.conversion().retryBackoff();
        Duration max = config.conversion().maxBackoff();
        Duration d = base.multipliedBy(1L << Math.min(attempt - 1, 20));
        return d.compareTo(max) > 0 ? max : d;
    }

    private boolean finish(Claim c, JobStatus status, String error) {
        return QuarkusTransaction.requiringNew().call(() -> held(c).map(j -> {
            markFinished(j, status, error);
            return true;
        }).orElse(false));
    }

    void markFinished(ConversionJob j, JobStatus status, String error) {
        Instant now = clock.instant();
        j.status = status;
        j.error = error;
        j.finishedAt = now;
        clearLease(j);
        changed(j);
    }

    private void changed(ConversionJob j) {
        live.job(j.id, j.status.wireName(), j.version.model.name, j.version.version);
    }

    private void clearLease(ConversionJob j) {
        j.leaseOwner = null;
        j.leaseExpiresAt = null;
        j.updatedAt = clock.instant();
    }

    ChainSpec chain(ConversionJob j) {
        return json.convertValue(j.spec, ChainSpec.class);
    }

    Map<String, Object> toMap(Object value) {
        return json.convertValue(value, new TypeReference<Map<String, Object>>() { });
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a conversion chain as JSON", e);
        }
    }
}
