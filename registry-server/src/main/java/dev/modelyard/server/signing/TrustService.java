package dev.modelyard.server.signing;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerificationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the chain of root metadata the registry hands to devices. The registry cannot sign a root
 * (its keys are offline); it only accepts a version that the previous one vouches for.
 */
@ApplicationScoped
public class TrustService {

    // Serialises root uploads between replicas.
    private static final long ADVISORY_LOCK = 0x726f6f74L;

    private final EntityManager em;
    private final ReleaseKeys releaseKeys;
    private final Clock clock;

    public TrustService(EntityManager em, ReleaseKeys releaseKeys, Clock clock) {
        this.em = em;
        this.releaseKeys = releaseKeys;
        this.clock = clock;
    }

    /** A stored root version, summarised. */
    public record RootView(int version, Instant expires, List<String> rootKeyIds, int rootThreshold,
                           List<String> releaseKeyIds, int releaseThreshold, String url) {
        static RootView of(RootMetadata r) {
            return new RootView((int) r.version(), r.expires(), r.rootRole().keyids(), r.rootRole().threshold(),
                    r.releaseRole().keyids(), r.releaseRole().threshold(), "/api/v1/trust/roots/" + r.version());
        }
    }

    /** What an operator needs to know to keep devices able to verify releases. */
    public record Status(String releaseKeyId, String releasePublicKey, Integer rootVersion, Instant rootExpires,
                         boolean releaseKeyTrusted, List<String> problems) {
    }

    /**
     * Adds the next root version. Version 1 must be signed by its own root threshold; every later
     * version by the previous version's threshold and its own.
     */
    @Transactional
    public RootView add(String json, String by) {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, ADVISORY_LOCK).getSingleResult();
        SignedEnvelope envelope;
        RootMetadata root;
        try {
            envelope = SignedEnvelope.parse(json);
            root = RootMetadata.fromMap(envelope.signed());
        } catch (IllegalArgumentException e) {
            throw DomainException.of(ErrorCode.INVALID_ROOT, "not valid root metadata: " + e.getMessage());
        }
        Optional<TrustRoot> latest = latestRow();
        try {
            if (latest.isEmpty()) {
                if (root.version() != 1) {
                    throw DomainException.of(ErrorCode.CONFLICT, "the first root must be version 1, got " + root.version());
                }
                new TrustStore(envelope);
            } else {
                TrustStore store = new TrustStore(SignedEnvelope.parse(latest.get().envelope));
                store.updateRoot(envelope);
            }
        } catch (VerificationException e) {
            throw DomainException.of(ErrorCode.ROOT_NOT_TRUSTED, "root version " + root.version() + " is not trusted: " + e.getMessage());
        }
        TrustRoot row = new TrustRoot();
        row.version = (int) root.version();
        row.envelope = envelope.toJson();
        row.expiresAt = root.expires();
        row.createdAt = clock.instant();
        row.createdBy = by;
        row.persist();
        return RootView.of(root);
    }

    @Transactional
    public List<RootView> list() {
        return TrustRoot.<TrustRoot>list("order by version").stream().map(TrustService::summary).toList();
    }

    @Transactional
    public String envelope(int version) {
        return TrustRoot.<TrustRoot>findByIdOptional(version).map(r -> r.envelope)
                .orElseThrow(() -> DomainException.of(ErrorCode.ROOT_NOT_FOUND, "no root metadata version " + version));
    }

    @Transactional
    public String latestEnvelope() {
        return latestRow().map(r -> r.envelope)
                .orElseThrow(() -> DomainException.of(ErrorCode.ROOT_NOT_FOUND, "no root metadata has been uploaded yet"));
    }

    @Transactional
    public Status status() {
        Optional<RootMetadata> root = latestRow().map(r -> RootMetadata.fromMap(SignedEnvelope.parse(r.envelope).signed()));
        List<String> problems = new java.util.ArrayList<>();
        ReleaseKeys.Key releaseKey = releaseKeys.current();
        boolean trusted = root.map(r -> r.releaseRole().keyids().contains(releaseKey.keyId())).orElse(false);
        if (root.isEmpty()) {
            problems.add("no root metadata uploaded: devices cannot be provisioned (POST /api/v1/trust/roots)");
        } else {
            if (!trusted) problems.add("the root does not list this server's release key " + releaseKey.keyId()
                    + ": devices will refuse its releases until a new root version lists it");
            if (root.get().expires().isBefore(clock.instant())) {
                problems.add("the root expired at " + root.get().expires() + ": devices verify nothing until a new version is uploaded");
            }
        }
        return new Status(releaseKey.keyId(), releaseKey.publicKey(), root.map(r -> (int) r.version()).orElse(null),
                root.map(RootMetadata::expires).orElse(null), trusted, problems);
    }

    private Optional<TrustRoot> latestRow() {
        return TrustRoot.<TrustRoot>find("order by version desc").firstResultOptional();
    }

    private static RootView summary(TrustRoot row) {
        return RootView.of(RootMetadata.fromMap(SignedEnvelope.parse(row.envelope).signed()));
    }
}
