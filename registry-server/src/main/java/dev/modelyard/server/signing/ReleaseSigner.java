package dev.modelyard.server.signing;

import dev.modelyard.server.lease.Leases;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.TenantEnabled;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.model.VersionPublished;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Signs the metadata of every artifact of a version when it is published, and signs it again
 * before it expires or when the release key changes. The artifact bytes are never re-signed:
 * the metadata names their digest and size.
 */
@ApplicationScoped
public class ReleaseSigner {

    private static final Logger LOG = Logger.getLogger(ReleaseSigner.class);
    private static final int RENEW_BATCH = 200;
    /** The lease key of the scheduled renewal. */
    public static final String RENEWAL_LEASE = "signing.renewal";
    public static final String SELF_TEST_SUFFIX = ".selftest.json";

    private final EntityManager em;
    private final TenantContext tenants;
    private final ReleaseKeys keys;
    private final ModelyardConfig config;
    private final Clock clock;
    private final SigningMetrics metrics;
    private final Event<SigningMetrics.Signed> signedEvent;
    private final Leases leases;

    public ReleaseSigner(EntityManager em, ReleaseKeys keys, ModelyardConfig config, Clock clock, SigningMetrics metrics,
                         Event<SigningMetrics.Signed> signedEvent, TenantContext tenants, Leases leases) {
        this.leases = leases;
        this.tenants = tenants;
        this.em = em;
        this.metrics = metrics;
        this.signedEvent = signedEvent;
        this.keys = keys;
        this.config = config;
        this.clock = clock;
    }

    /** Runs in the publishing transaction: a failure here means the version is not published. */
    void onPublished(@Observes VersionPublished published) {
        Instant now = issueTime();
        SelfTestDocument selfTest = selfTestOf(published.versionId());
        List<Object[]> rows = em.createQuery("""
                        select a.id, a.filename, a.sha256, a.size, a.format, a.runtime, a.runtimeVersion, a.arch,
                               a.accelerator, a.precision, a.minMemoryMb, a.os, a.cpuFeatures
                        from Artifact a where a.version.id = :version""", Object[].class)
                .setParameter("version", published.versionId()).getResultList();
        for (Object[] r : rows) {
            // The whole descriptor, CPU features included: a device must not take a file its CPU cannot run.
            String features = (String) r[12];
            TargetDescriptor target = new TargetDescriptor((String) r[4], (String) r[5], (String) r[6], (String) r[7],
                    (String) r[8], (String) r[9], (Integer) r[10], (String) r[11],
                    features.isEmpty() ? List.of() : List.of(features.split(",")));
            ArtifactMetadata meta = new ArtifactMetadata(published.tenant(), published.model(), published.version(),
                    published.releaseCounter(), new ArtifactMetadata.ArtifactFile((String) r[1], (String) r[2], (Long) r[3]),
                    target, now, now.plus(config.signing().metadataLifetime()),
                    selfTest == null ? null : selfTest.beside((String) r[1]));
            ArtifactRelease release = new ArtifactRelease();
            release.artifactId = (UUID) r[0];
            store(release, meta);
            release.persist();
        }
        signedEvent.fire(new SigningMetrics.Signed(rows.size()));
    }

    /** Where devices find a version's self-test document: beside the artifact, in the same chunk. */
    public static String selfTestFilename(String artifactFilename) {
        return artifactFilename + SELF_TEST_SUFFIX;
    }

    /** A version's frozen self-test document: its digest and size. */
    private record SelfTestDocument(String sha256, long size) {
        ArtifactMetadata.SelfTestFile beside(String artifactFilename) {
            return new ArtifactMetadata.SelfTestFile(selfTestFilename(artifactFilename), sha256, size);
        }
    }

    /** Null when the version has no self-test vectors. */
    private SelfTestDocument selfTestOf(long versionId) {
        Object[] doc = em.createQuery("select v.selfTestSha256, v.selfTestDocument from ModelVersion v where v.id = :id",
                Object[].class).setParameter("id", versionId).getSingleResult();
        if (doc[0] == null) return null;
        return new SelfTestDocument(((String) doc[0]).strip(),
                ((String) doc[1]).getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    }

    /**
     * Signs one artifact added to an already published version (a converted one), with that
     * version's release counter and self-test document. Runs in the caller's transaction, like
     * {@link #onPublished}.
     */
    public void signAdded(UUID artifactId, VersionPublished version, ArtifactMetadata.ArtifactFile file,
                          TargetDescriptor target) {
        Instant now = issueTime();
        SelfTestDocument selfTest = selfTestOf(version.versionId());
        ArtifactRelease release = new ArtifactRelease();
        release.artifactId = artifactId;
        store(release, new ArtifactMetadata(version.tenant(), version.model(), version.version(),
                version.releaseCounter(), file, target, now, now.plus(config.signing().metadataLifetime()),
                selfTest == null ? null : selfTest.beside(file.filename())));
        release.persist();
        signedEvent.fire(new SigningMetrics.Signed(1));
    }

    /** The signed metadata of a released artifact, as served to devices. */
    public Optional<String> envelope(UUID artifactId) {
        return ArtifactRelease.<ArtifactRelease>findByIdOptional(artifactId).map(r -> r.envelope);
    }

    @Scheduled(every = "${modelyard.signing.renew-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRenewal() {
        try {
            // One replica renews per interval; rows are claimed with SKIP LOCKED besides, so a
            // renewal started by hand next to it never signs an artifact twice either.
            leases.runIfHolder(RENEWAL_LEASE, Leases.every(config.signing().renewInterval()), () -> {
                int renewed = renewDue();
                if (renewed > 0) LOG.infof("signed the metadata of %d artifacts again", renewed);
            });
        } catch (Exception e) {
            LOG.warn("renewing signed metadata failed; it will be tried again", e);
        }
    }

    /**
     * Signs again what expires within the renewal window or was signed by another key. Revoked
     * versions are left to expire: they must not be offered any more. A tenant whose renewal fails
     * (its key cannot be read, a database error) is logged and counted, and the others are renewed
     * all the same: one tenant's trouble must not let every later tenant's metadata expire.
     */
    public int renewDue() {
        // Each tenant's releases are signed with its own key: one pass per tenant, as that tenant.
        @SuppressWarnings("unchecked")
        List<String> all = tenants.acrossTenants(() -> QuarkusTransaction.requiringNew().call(() ->
                em.createNativeQuery("SELECT id FROM tenant WHERE enabled ORDER BY id").getResultList()));
        int[] total = {0};
        int failed = 0;
        for (String tenant : all) {
            try {
                tenants.runAs(tenant, () -> renewTenant(total));
            } catch (RuntimeException e) {
                failed++;
                metrics.tenantRenewalFailed();
                LOG.warnf(e, "renewing tenant '%s''s signed metadata failed; it will be tried again", tenant);
            }
        }
        if (failed > 0) {
            metrics.renewalFailed(total[0]);
        } else {
            metrics.renewalRan(total[0]);
        }
        return total[0];
    }

    /**
     * Signs again, right away, what of one tenant is due: renewal skips disabled tenants, so one
     * enabled again may serve metadata that expired meanwhile.
     */
    void onEnabled(@Observes TenantEnabled enabled) {
        int[] total = {0};
        try {
            tenants.runAs(enabled.tenant(), () -> renewTenant(total));
            if (total[0] > 0) LOG.infof("signed the metadata of %d artifacts of tenant '%s' again", total[0], enabled.tenant());
        } catch (RuntimeException e) {
            metrics.tenantRenewalFailed();
            LOG.warnf(e, "renewing tenant '%s''s signed metadata failed; the scheduled renewal will try again", enabled.tenant());
        }
        metrics.renewed(total[0]);
    }

    private void renewTenant(int[] total) {
        int batch;
        do {
            batch = QuarkusTransaction.requiringNew().call(this::renewBatch);
            total[0] += batch;
        } while (batch == RENEW_BATCH);
    }

    private int renewBatch() {
        Instant horizon = clock.instant().plus(config.signing().renewBefore());
        ReleaseKeys.Key key = keys.current();
        @SuppressWarnings("unchecked")
        List<UUID> due = em.createNativeQuery("""
                        SELECT r.artifact_id FROM artifact_release r
                        JOIN artifact a ON a.id = r.artifact_id
                        JOIN model_version v ON v.id = a.version_id
                        WHERE r.tenant = ?4 AND v.status IN ('PUBLISHED', 'DEPRECATED') AND (r.expires_at < ?1 OR r.key_id <> ?2)
                        LIMIT ?3 FOR UPDATE OF r SKIP LOCKED""")
                .setParameter(1, horizon).setParameter(2, key.keyId()).setParameter(3, RENEW_BATCH).setParameter(4, tenants.current()).getResultList();
        Instant now = issueTime();
        for (UUID id : due) {
            ArtifactRelease release = ArtifactRelease.findById(id);
            ArtifactMetadata old = ArtifactMetadata.fromMap(SignedEnvelope.parse(release.envelope).signed());
            store(release, old.renewed(now, now.plus(config.signing().metadataLifetime())));
        }
        return due.size();
    }

    private void store(ArtifactRelease release, ArtifactMetadata meta) {
        ReleaseKeys.Key key = keys.current();
        release.envelope = key.signer().sign(meta).toJson();
        release.keyId = key.keyId();
        release.issuedAt = meta.issuedAt();
        release.expiresAt = meta.expiresAt();
    }

    /** Metadata times have whole seconds (RFC 3339 without fractions). */
    private Instant issueTime() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }
}
