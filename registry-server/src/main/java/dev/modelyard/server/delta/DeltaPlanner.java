package dev.modelyard.server.delta;

import dev.modelyard.server.artifact.ArtifactAdded;
import dev.modelyard.server.deployment.ActionsAssigned;
import dev.modelyard.server.model.VersionPublished;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Decides which deltas are worth building and queues them (PENDING rows), in the transaction of
 * what made them matter, so a publication or an assignment commits with its deltas queued or not
 * at all. Every insert is set-based and {@code ON CONFLICT DO NOTHING} on the pair index: asking
 * again, concurrently or later, queues nothing twice. Artifacts below {@code min-size} get none.
 */
@ApplicationScoped
public class DeltaPlanner {

    /** Why a delta was queued ({@code requested_by}). */
    public static final String PUBLICATION = "publication";
    public static final String ASSIGNMENT = "assignment";
    public static final String API = "api";

    private final EntityManager em;
    private final DeltaConfig config;
    private final DeltaWorkers workers;
    private final Clock clock;

    public DeltaPlanner(EntityManager em, DeltaConfig config, DeltaWorkers workers, Clock clock) {
        this.em = em;
        this.config = config;
        this.workers = workers;
        this.clock = clock;
    }

    /**
     * At publication: per artifact of the version, the compressed full file, and a delta from each
     * of the {@code max-bases} files of this model's same format and precision that most devices
     * have installed (installed model → the action that installed it → its artifact). A base of
     * another format or precision shares no layout with the target: its delta would cost a build
     * and never be worth offering, and a device is given the same format and precision again.
     */
    void onPublished(@Observes VersionPublished published) {
        if (!config.enabled()) return;
        plan(published.tenant(), VERSION_TARGETS, published.versionId());
    }

    /**
     * An artifact added to a version devices may already be given (a conversion's output, which
     * fires no publication): planned as the publication plans its version's artifacts.
     */
    void onArtifactAdded(@Observes ArtifactAdded added) {
        if (!config.enabled() || !added.released()) return;
        plan(added.tenant(), ONE_TARGET, added.artifactId());
    }

    void afterArtifactAdded(@Observes(during = TransactionPhase.AFTER_SUCCESS) ArtifactAdded added) {
        if (added.released()) workers.wake();
    }

    /** Which artifacts {@link #plan} plans for: a version's, or one. */
    private static final String VERSION_TARGETS = "t.version_id";
    private static final String ONE_TARGET = "t.id";

    /** The compressed full file and the installed-base deltas of the artifacts {@code targets = key}. */
    private void plan(String tenant, String targets, Object key) {
        Instant now = clock.instant();
        em.createNativeQuery("""
                        INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, base_artifact_id, status,
                            requested_by, target_size, not_before, created_at)
                        SELECT gen_random_uuid(), t.tenant, t.id, NULL, NULL, 'PENDING', ?3, t.size, ?4, ?4
                        FROM artifact t WHERE t.tenant = ?1 AND %s = ?2 AND t.size >= ?5
                        ON CONFLICT DO NOTHING""".formatted(targets))
                .setParameter(1, tenant).setParameter(2, key).setParameter(3, PUBLICATION)
                .setParameter(4, now).setParameter(5, config.minSize().asLongValue()).executeUpdate();
        em.createNativeQuery("""
                        INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, base_artifact_id, status,
                            requested_by, target_size, not_before, created_at)
                        SELECT gen_random_uuid(), t.tenant, t.id, b.sha256, b.base_id, 'PENDING', ?3, t.size, ?4, ?4
                        FROM artifact t
                        CROSS JOIN LATERAL (
                            SELECT x.sha256, (array_agg(x.id ORDER BY x.created_at))[1] AS base_id
                            FROM installed_model i
                            JOIN action a ON a.id = i.action_id AND a.tenant = i.tenant
                            JOIN artifact x ON x.id = a.artifact_id AND x.tenant = i.tenant
                            WHERE i.tenant = t.tenant
                              AND i.model_id = (SELECT v.model_id FROM model_version v WHERE v.id = t.version_id)
                              AND x.format = t.format AND x.precision = t.precision AND x.sha256 <> t.sha256
                            GROUP BY x.sha256
                            ORDER BY count(*) DESC, x.sha256
                            LIMIT ?6) b
                        WHERE t.tenant = ?1 AND %s = ?2 AND t.size >= ?5
                        ON CONFLICT DO NOTHING""".formatted(targets))
                .setParameter(1, tenant).setParameter(2, key).setParameter(3, PUBLICATION)
                .setParameter(4, now).setParameter(5, config.minSize().asLongValue()).setParameter(6, config.maxBases())
                .executeUpdate();
    }

    void afterPublished(@Observes(during = TransactionPhase.AFTER_SUCCESS) VersionPublished published) {
        workers.wake();
    }

    /**
     * At assignment: for each new action, the delta from the file the device has installed of
     * that model to the action's file when they differ and share format and precision, and the
     * compressed full file (a version
     * published before deltas were on has none yet).
     */
    void onAssigned(@Observes ActionsAssigned assigned) {
        if (!config.enabled()) return;
        Instant now = clock.instant();
        String ids = assigned.actionIds().stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
        em.createNativeQuery("""
                        INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, base_artifact_id, status,
                            requested_by, target_size, not_before, created_at)
                        SELECT gen_random_uuid(), p.tenant, p.target_id, p.base_sha256, p.base_id, 'PENDING', ?3, p.size, ?4, ?4
                        FROM (SELECT DISTINCT ON (t.id, b.sha256) t.tenant, t.id AS target_id, t.size, b.sha256 AS base_sha256,
                                  b.id AS base_id
                              FROM action a
                              JOIN artifact t ON t.id = a.artifact_id AND t.tenant = a.tenant
                              JOIN installed_model i ON i.device_id = a.device_id AND i.model_id = a.model_id AND i.tenant = a.tenant
                              JOIN action ia ON ia.id = i.action_id AND ia.tenant = a.tenant
                              JOIN artifact b ON b.id = ia.artifact_id AND b.tenant = a.tenant
                              WHERE a.tenant = ?1 AND a.id = ANY(CAST(?2 AS bigint[])) AND t.size >= ?5 AND b.sha256 <> t.sha256
                                AND b.format = t.format AND b.precision = t.precision
                              UNION ALL
                              SELECT DISTINCT t.tenant, t.id, t.size, CAST(NULL AS char(64)), CAST(NULL AS uuid)
                              FROM action a JOIN artifact t ON t.id = a.artifact_id AND t.tenant = a.tenant
                              WHERE a.tenant = ?1 AND a.id = ANY(CAST(?2 AS bigint[])) AND t.size >= ?5) p
                        ON CONFLICT DO NOTHING""")
                .setParameter(1, assigned.tenant()).setParameter(2, ids).setParameter(3, ASSIGNMENT)
                .setParameter(4, now).setParameter(5, config.minSize().asLongValue()).executeUpdate();
    }

    void afterAssigned(@Observes(during = TransactionPhase.AFTER_SUCCESS) ActionsAssigned assigned) {
        workers.wake();
    }

    /**
     * Queues one delta (base null: the compressed full file) in the caller's transaction unless
     * the pair exists; returns whether it was created. The caller checked the base belongs to the
     * tenant; the builder checks again.
     */
    boolean request(String tenant, UUID target, long targetSize, String baseSha256, UUID baseArtifact, String requestedBy) {
        Instant now = clock.instant();
        // Two statements rather than bound NULLs: a NULL parameter carries no SQL type to infer.
        var insert = baseSha256 == null
                ? em.createNativeQuery("""
                        INSERT INTO artifact_delta (id, tenant, target_artifact_id, status, requested_by, target_size,
                            not_before, created_at)
                        VALUES (gen_random_uuid(), ?1, ?2, 'PENDING', ?5, ?6, ?7, ?7)
                        ON CONFLICT DO NOTHING""")
                : em.createNativeQuery("""
                        INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, base_artifact_id, status,
                            requested_by, target_size, not_before, created_at)
                        VALUES (gen_random_uuid(), ?1, ?2, ?3, ?4, 'PENDING', ?5, ?6, ?7, ?7)
                        ON CONFLICT DO NOTHING""").setParameter(3, baseSha256).setParameter(4, baseArtifact);
        return insert.setParameter(1, tenant).setParameter(2, target).setParameter(5, requestedBy)
                .setParameter(6, targetSize).setParameter(7, now).executeUpdate() == 1;
    }

}
