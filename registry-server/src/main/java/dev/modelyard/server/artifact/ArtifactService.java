package dev.modelyard.server.artifact;

import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.TenantDirectory;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.model.VersionLifecycle;
import dev.modelyard.server.inspection.UploadInspection;
import dev.modelyard.server.signing.PublisherSignatures;
import dev.modelyard.server.signing.ReleaseSigner;
import dev.modelyard.server.storage.BlobLedger;
import dev.modelyard.server.storage.StagedFile;
import dev.modelyard.server.storage.StagingArea;
import dev.modelyard.wire.TargetDescriptor;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Accepts artifact bytes and records them. The order is what keeps bad or interrupted uploads
 * invisible: stage and hash → check the digest → store the blob → commit the artifact row.
 */
@ApplicationScoped
public class ArtifactService {

    private static final Pattern FILENAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final ModelLookup models;
    private final VersionLifecycle versions;
    private final VersionArtifacts versionArtifacts;
    private final StagingArea staging;
    private final BlobLedger ledger;
    private final PublisherSignatures publisherSignatures;
    private final ReleaseSigner releases;
    private final ModelyardConfig config;
    private final TenantContext tenants;
    private final TenantDirectory tenantDirectory;
    private final Clock clock;
    private final UploadInspection inspection;
    private final TransferMetrics transfers;
    private final LiveEvents live;

    public ArtifactService(ModelLookup models, VersionLifecycle versions, VersionArtifacts versionArtifacts,
                           StagingArea staging, BlobLedger ledger,
                           PublisherSignatures publisherSignatures, ReleaseSigner releases, ModelyardConfig config,
                           Clock clock, UploadInspection inspection, TransferMetrics transfers, TenantContext tenants,
                           TenantDirectory tenantDirectory, LiveEvents live) {
        this.live = live;
        this.inspection = inspection;
        this.tenants = tenants;
        this.tenantDirectory = tenantDirectory;
        this.transfers = transfers;
        this.models = models;
        this.versions = versions;
        this.versionArtifacts = versionArtifacts;
        this.staging = staging;
        this.ledger = ledger;
        this.publisherSignatures = publisherSignatures;
        this.releases = releases;
        this.config = config;
        this.clock = clock;
    }

    /** What an upload should become. */
    public record Upload(String model, String version, String filename, TargetDescriptor target, String mediaType,
                         Optional<String> expectedSha256, String publisherSignature, String by) {
    }

    /** The stored artifact, and whether it replaced a draft's file of the same name. */
    public record Stored(ArtifactView artifact, boolean replaced) {
    }

    /** The caller's tenant's maximum upload size; a tenant may lower the server's limit, never raise it. */
    public long maxSize() {
        long server = config.upload().maxSize().asLongValue();
        Long tenant = tenantDirectory.find(tenants.current()).map(TenantDirectory.Entry::maxUploadBytes).orElse(null);
        return tenant == null ? server : Math.min(server, tenant);
    }

    public static String requireFilename(String filename) {
        if (filename == null || !FILENAME.matcher(filename).matches()) {
            throw DomainException.of(ErrorCode.INVALID_NAME, "filename: '" + filename
                    + "' must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return filename;
    }

    /** Fails fast (unknown model or version, a released version, too large, no staging room) before any byte is read. */
    public void checkCanUpload(String model, String version, long declaredLength) {
        versions.draftForChange(model, version);
        if (declaredLength > maxSize()) {
            throw DomainException.of(ErrorCode.BODY_TOO_LARGE, "upload of " + declaredLength + " bytes is larger than the limit of "
                    + maxSize() + " bytes");
        }
        staging.checkRoomFor(declaredLength);
    }

    /** Streams {@code body} into staging, then verifies and records it. */
    public Stored upload(Upload u, long declaredLength, InputStream body, TransferMetrics.UploadMethod method) {
        checkCanUpload(u.model(), u.version(), declaredLength);
        StagedFile staged;
        try {
            staged = staging.receive(body, maxSize());
        } catch (IOException e) {
            throw DomainException.of(ErrorCode.INCOMPLETE_UPLOAD, "the upload was interrupted before it completed: " + e.getMessage());
        }
        transfers.uploaded(method, staged.size());
        if (declaredLength >= 0 && staged.size() != declaredLength) {
            staged.discard();
            throw DomainException.of(ErrorCode.INCOMPLETE_UPLOAD, "received " + staged.size() + " bytes but Content-Length said " + declaredLength);
        }
        return commit(u, staged);
    }

    /** Verifies a staged file against the expected digest and makes it an artifact. Consumes the file. */
    public Stored commit(Upload u, StagedFile staged) {
        if (u.expectedSha256().isPresent() && !u.expectedSha256().get().equals(staged.sha256())) {
            staged.discard();
            throw DomainException.of(ErrorCode.DIGEST_MISMATCH, "digest mismatch: the upload's SHA-256 is " + staged.sha256()
                    + " but the client expected " + u.expectedSha256().get() + "; nothing was stored");
        }
        Optional<PublisherSignatures.Signed> signer;
        Optional<UploadInspection.Findings> findings;
        try {
            findings = inspection.inspect(u.target(), staged.path());
            signer = publisherSignatures.verify(u.publisherSignature(), u.model(), u.version(), u.filename(),
                    staged.sha256(), staged.size());
        } catch (RuntimeException e) {
            staged.discard();
            throw e;
        }
        try {
            ledger.store(staged);
        } catch (IOException e) {
            staged.discard();
            throw new UncheckedIOException("could not write the blob store", e);
        }
        return QuarkusTransaction.requiringNew().call(() -> record(u, staged, signer, findings));
    }

    private Stored record(Upload u, StagedFile staged, Optional<PublisherSignatures.Signed> signer,
                          Optional<UploadInspection.Findings> findings) {
        ModelVersion v = versions.draftForChange(u.model(), u.version());
        Artifact a = new Artifact();
        a.version = v;
        a.filename = u.filename();
        a.sha256 = staged.sha256();
        a.size = staged.size();
        a.mediaType = u.mediaType();
        a.target(u.target());
        a.createdAt = clock.instant();
        a.createdBy = u.by();
        Map<String, Object> metadata = new LinkedHashMap<>();
        signer.ifPresent(sig -> metadata.put("publisherSignature", Map.of("keyId", sig.keyId(), "name", sig.name())));
        findings.ifPresent(f -> metadata.put(f.format(), f.metadata()));
        a.metadata = metadata;
        // A draft without an I/O signature takes the one the model declares.
        if (v.ioSignature == null) findings.flatMap(UploadInspection.Findings::ioSignature).ifPresent(sig -> v.ioSignature = sig);
        VersionArtifacts.Added added = versionArtifacts.add(a, VersionArtifacts.SameName.REPLACE);
        return new Stored(ArtifactView.of(added.artifact()), added.replaced());
    }

    @Transactional
    public Page<ArtifactView> list(String model, String version, Map<String, String> filters,
                                   io.quarkus.panache.common.Page page) {
        ModelVersion v = models.resolve(models.model(model), version);
        StringBuilder q = new StringBuilder("version = :version");
        Map<String, Object> params = new HashMap<>();
        params.put("version", v);
        filters.forEach((field, value) -> {
            if (value != null) {
                q.append(" and ").append(field).append(" = :").append(field);
                params.put(field, field.equals("origin") ? origin(value) : value);
            }
        });
        PanacheQuery<Artifact> query = Artifact.find(q + " order by filename", params).page(page);
        return new Page<>(query.list().stream().map(ArtifactView::of).toList(), page.index, page.size, query.count());
    }

    @Transactional
    public ArtifactView get(String model, String version, String idOrFilename) {
        return ArtifactView.of(find(model, version, idOrFilename));
    }

    /** An artifact by id or by file name within a version (number, alias or 'latest'). */
    @Transactional
    public Artifact find(String model, String version, String idOrFilename) {
        ModelVersion v = models.resolve(models.model(model), version);
        Optional<Artifact> a = parseUuid(idOrFilename)
                .flatMap(id -> Artifact.find("id = ?1 and version = ?2", id, v).<Artifact>firstResultOptional())
                .or(() -> Artifact.find("version = ?1 and filename = ?2", v, idOrFilename).<Artifact>firstResultOptional());
        Artifact found = a.orElseThrow(() -> DomainException.of(ErrorCode.ARTIFACT_NOT_FOUND,
                "version " + v.version + " of '" + model + "' has no artifact '" + idOrFilename + "'"));
        // Initialise what views need while the session is open.
        found.version.model.name.length();
        return found;
    }

    /**
     * The signed release metadata of an artifact: RELEASE_NOT_FOUND while its version is a draft, GONE once the
     * version is revoked (it must not be offered any more).
     */
    @Transactional
    public SignedMetadata signedMetadata(String model, String version, String idOrFilename) {
        Artifact a = find(model, version, idOrFilename);
        switch (a.version.status) {
            case DRAFT -> throw DomainException.of(ErrorCode.RELEASE_NOT_FOUND, "version " + a.version.version + " is a draft: it has no signed release metadata yet");
            case REVOKED -> throw DomainException.of(ErrorCode.GONE, "version " + a.version.version + " of '" + model + "' is revoked");
            default -> { }
        }
        String envelope = releases.envelope(a.id).orElseThrow(() -> DomainException.of(ErrorCode.RELEASE_NOT_FOUND,
                "artifact " + a.id + " has no signed release metadata"));
        return new SignedMetadata(a.filename, envelope);
    }

    /** Signed release metadata and the artifact file it describes. */
    public record SignedMetadata(String artifactFilename, String envelope) {
    }

    @Transactional
    public void delete(String model, String version, String idOrFilename) {
        versions.draftForChange(model, version);
        Artifact a = find(model, version, idOrFilename);
        a.delete();
        live.artifact(model, version, a.id);
    }

    private static Optional<UUID> parseUuid(String s) {
        try {
            return s.length() == 36 ? Optional.of(UUID.fromString(s)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Artifact.Origin origin(String value) {
        try {
            return Artifact.Origin.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "origin",
                    "origin: '" + value + "' is not one of uploaded, converted", List.of("converted", "uploaded"));
        }
    }
}
