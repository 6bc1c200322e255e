package dev.modelyard.server.upload;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.artifact.ArtifactService;
import dev.modelyard.server.artifact.TransferMetrics;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.model.VersionLifecycle;
import dev.modelyard.server.storage.StagedFile;
import dev.modelyard.server.storage.StagingArea;
import dev.modelyard.server.storage.UploadStaging;
import dev.modelyard.server.lease.Leases;
import dev.modelyard.server.lease.Replica;
import jakarta.persistence.EntityManager;
import dev.modelyard.wire.TargetDescriptor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Resumable uploads: open a session, append byte ranges in order (each one durable before it
 * is acknowledged), then finish with the expected digest. Any replica may serve any request of a
 * session: its state is in the database (offset, and which replica is appending right now) and
 * its bytes are in {@link UploadStaging}, which every replica sees.
 * <p>
 * One append or finish at a time per session, across replicas: a request claims the session's row
 * ({@code appending_by}) with one conditional update, renews the claim every
 * {@value #CLAIM_RENEW_SECONDS} s while it works and gives it back when it ends. A claim not
 * renewed for {@value #CLAIM_STALE_SECONDS} s belongs to a replica that died and may be taken.
 */
@ApplicationScoped
public class UploadService {

    private static final Logger LOG = Logger.getLogger(UploadService.class);
    static final int CLAIM_RENEW_SECONDS = 10;
    static final int CLAIM_STALE_SECONDS = 60;
    /** The lease key of the scheduled sweep of abandoned sessions. */
    public static final String SWEEP_LEASE = "upload.sweep";

    private final ModelLookup models;
    private final VersionLifecycle versions;
    private final ArtifactService artifacts;
    private final UploadStaging staging;
    private final EntityManager em;
    private final Replica replica;
    private final Leases leases;
    private final ModelyardConfig config;
    private final Clock clock;
    private final TransferMetrics transfers;
    private final TenantContext tenants;
    private final Set<UUID> busy = ConcurrentHashMap.newKeySet();

    public UploadService(ModelLookup models, VersionLifecycle versions, ArtifactService artifacts, UploadStaging staging,
                         ModelyardConfig config, Clock clock, TransferMetrics transfers, TenantContext tenants,
                         EntityManager em, Replica replica, Leases leases) {
        this.em = em;
        this.replica = replica;
        this.leases = leases;
        this.tenants = tenants;
        this.transfers = transfers;
        this.models = models;
        this.versions = versions;
        this.artifacts = artifacts;
        this.staging = staging;
        this.config = config;
        this.clock = clock;
    }

    /**
     * A session as the API shows it. {@code appending}: a request is appending (or finishing) right now, e.g. one
     * whose connection broke and that the server has not yet noticed; a client resuming after a cut waits until it
     * is false rather than be refused with concurrent-request.
     */
    public record UploadView(UUID id, String model, String version, String filename, TargetDescriptor target,
                             long offset, boolean appending, Instant createdAt, Instant expiresAt, String url) {
    }

    @Transactional
    public UploadView open(String model, String version, String filename, TargetDescriptor target, String by) {
        ArtifactService.requireFilename(filename);
        ModelVersion v = versions.draftForChange(model, version);
        UploadSession s = new UploadSession();
        s.id = UUID.randomUUID();
        s.version = v;
        s.filename = filename;
        s.target = target;
        s.createdAt = clock.instant();
        s.updatedAt = s.createdAt;
        s.createdBy = by;
        s.persist();
        return view(s);
    }

    /** Names a session under the version it uploads to. */
    public record Ref(String model, String version, UUID id) {
    }

    @Transactional
    public UploadView get(Ref ref) {
        return view(session(ref));
    }

    /** Appends {@code body} at {@code offset}, which must be the session's current offset. Returns the new offset. */
    public long append(Ref ref, long offset, InputStream body) {
        UUID id = ref.id();
        long current = claim(ref, "another request is appending to upload " + id + "; retry when it ends");
        try {
            if (offset != current) {
                throw new ResumeFrom(ErrorCode.UPLOAD_OFFSET_MISMATCH, current, "Upload-Offset " + offset
                        + " does not match the upload's offset " + current + "; resume from " + current);
            }
            long max = artifacts.maxSize();
            long received;
            try {
                received = staging.append(id, offset, body, max);
            } catch (StagingArea.CutShort cut) {
                // What arrived is kept: the client resumes from there (tus semantics).
                acknowledge(ref, offset, cut.length());
                if (cut.getCause() instanceof DomainException refused) throw refused;
                throw new ResumeFrom(ErrorCode.INCOMPLETE_UPLOAD, cut.length(), "the append was cut off; resume from offset "
                        + cut.length() + ": " + cut.getCause().getMessage());
            } catch (IOException e) {
                throw DomainException.of(ErrorCode.INCOMPLETE_UPLOAD, "the append was interrupted; resume from offset " + offset + ": " + e.getMessage());
            }
            acknowledge(ref, offset, received);
            return received;
        } finally {
            unclaim(id);
        }
    }

    /**
     * Claims the session for one request on this replica, or refuses with CONCURRENT_REQUEST while
     * another request (here or on another replica) holds it. Returns the session's offset.
     */
    private long claim(Ref ref, String busyMessage) {
        long received = QuarkusTransaction.requiringNew().call(() -> {
            UploadSession s = session(ref);
            int claimed = em.createNativeQuery("""
                    UPDATE upload_session SET appending_by = ?1, appending_at = now()
                    WHERE id = ?2 AND (appending_by IS NULL OR appending_at < now() - make_interval(secs => ?3))""")
                    .setParameter(1, replica.id()).setParameter(2, s.id).setParameter(3, CLAIM_STALE_SECONDS).executeUpdate();
            return claimed == 1 ? s.received : -1L;
        });
        if (received < 0) throw DomainException.of(ErrorCode.CONCURRENT_REQUEST, busyMessage);
        busy.add(ref.id());
        return received;
    }

    private void unclaim(UUID id) {
        busy.remove(id);
        try {
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                    "UPDATE upload_session SET appending_by = NULL, appending_at = NULL WHERE id = ?1 AND appending_by = ?2")
                    .setParameter(1, id).setParameter(2, replica.id()).executeUpdate());
        } catch (RuntimeException e) {
            // The claim goes stale by itself; until then the client is told to retry.
            LOG.warnf("could not release the claim on upload %s: %s", id, e.getMessage());
        }
    }

    /** Keeps this replica's claims alive while their requests run (a long append outlives the stale limit). */
    @Scheduled(every = CLAIM_RENEW_SECONDS + "s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renewClaims() {
        if (busy.isEmpty()) return;
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                for (UUID id : List.copyOf(busy)) {
                    em.createNativeQuery("UPDATE upload_session SET appending_at = now() WHERE id = ?1 AND appending_by = ?2")
                            .setParameter(1, id).setParameter(2, replica.id()).executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("could not renew this replica's upload claims: %s", e.getMessage());
        }
    }

    private void acknowledge(Ref ref, long offset, long received) {
        transfers.uploaded(TransferMetrics.UploadMethod.RESUMABLE, received - offset);
        QuarkusTransaction.requiringNew().run(() -> {
            UploadSession s = session(ref);
            s.received = received;
            s.updatedAt = clock.instant();
            s.stagingId = staging.id();
        });
    }

    /** Seals the session: hashes the data, checks it against {@code expectedSha256} and makes the artifact. */
    public ArtifactService.Stored finish(Ref ref, String expectedSha256, String publisherSignature) {
        UUID id = ref.id();
        claim(ref, "upload " + id + " is busy; retry when the current request ends");
        try {
            UploadSession s = QuarkusTransaction.requiringNew().call(() -> {
                UploadSession found = session(ref);
                found.version.model.name.length();
                return found;
            });
            StagedFile staged;
            try {
                staged = staging.seal(id, s.received);
            } catch (IOException e) {
                throw DomainException.of(ErrorCode.CONFLICT, "upload " + id + " holds fewer bytes than the " + s.received
                        + " acknowledged (" + e.getMessage() + "); cancel it and upload again");
            }
            try {
                return artifacts.commit(new ArtifactService.Upload(s.version.model.name, s.version.version, s.filename,
                        s.target, "application/octet-stream", Optional.of(expectedSha256), publisherSignature, s.createdBy), staged);
            } finally {
                // The data was moved into the blob store or discarded: the session is over either way.
                remove(id);
            }
        } finally {
            unclaim(id);
        }
    }

    public void cancel(Ref ref) {
        QuarkusTransaction.requiringNew().run(() -> session(ref));
        remove(ref.id());
    }

    private void remove(UUID id) {
        QuarkusTransaction.requiringNew().run(() -> UploadSession.deleteById(id));
        try {
            staging.discard(id);
        } catch (IOException e) {
            LOG.warnf("could not delete the data of upload %s: %s", id, e.getMessage());
        }
    }

    @Scheduled(every = "${modelyard.upload.sweep-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSweep() {
        try {
            leases.runIfHolder(SWEEP_LEASE, Leases.every(config.upload().sweepInterval()), this::expireAbandoned);
        } catch (Exception e) {
            LOG.warn("discarding abandoned upload sessions failed; it will run again", e);
        }
    }

    void expireAbandoned() {
        // One sweep for every tenant's sessions: expiry is the same rule for all and they share the staging area.
        tenants.runAcrossTenants(this::expireAbandonedOfAllTenants);
    }

    private void expireAbandonedOfAllTenants() {
        Instant cutoff = clock.instant().minus(config.upload().sessionTtl());
        List<UUID> expired = QuarkusTransaction.requiringNew().call(() ->
                UploadSession.<UploadSession>list("updatedAt < ?1", cutoff).stream().map(s -> s.id).toList());
        expired.forEach(this::remove);
        if (!expired.isEmpty()) {
            LOG.infof("discarded %d abandoned upload sessions", expired.size());
        }
    }

    private UploadSession session(Ref ref) {
        ModelVersion v = models.exact(models.model(ref.model()), ref.version());
        return UploadSession.<UploadSession>findByIdOptional(ref.id())
                .filter(s -> s.version.id.equals(v.id))
                .orElseThrow(() -> DomainException.of(ErrorCode.UPLOAD_NOT_FOUND, "no upload session " + ref.id() + " for version " + v.version
                        + " of '" + ref.model() + "' (finished, cancelled or expired)"));
    }

    private boolean appending(UploadSession s) {
        return busy.contains(s.id) || (s.appendingBy != null
                && s.appendingAt.isAfter(clock.instant().minusSeconds(CLAIM_STALE_SECONDS)));
    }

    private UploadView view(UploadSession s) {
        return new UploadView(s.id, s.version.model.name, s.version.version, s.filename, s.target, s.received,
                appending(s), s.createdAt, s.updatedAt.plus(config.upload().sessionTtl()),
                "/api/v1/models/" + s.version.model.name + "/versions/" + s.version.version + "/uploads/" + s.id);
    }
}
