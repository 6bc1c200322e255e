package dev.modelyard.server.delta;

import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.artifact.ArtifactService;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** The management API's operations on an artifact's deltas: list, read, request, retry. */
@ApplicationScoped
public class DeltaService {

    private final ArtifactService artifacts;
    private final ModelLookup models;
    private final DeltaPlanner planner;
    private final DeltaConfig config;
    private final TenantContext tenants;
    private final Clock clock;

    public DeltaService(ArtifactService artifacts, ModelLookup models, DeltaPlanner planner, DeltaConfig config,
                        TenantContext tenants, Clock clock) {
        this.artifacts = artifacts;
        this.models = models;
        this.planner = planner;
        this.config = config;
        this.tenants = tenants;
        this.clock = clock;
    }

    /** A request's outcome: the delta, and whether this request queued it. */
    public record Requested(DeltaApi.DeltaView delta, boolean created) {
    }

    @Transactional
    public Page<DeltaApi.DeltaView> list(String model, String version, String artifact, String status,
                                         io.quarkus.panache.common.Page page) {
        Artifact target = artifacts.find(model, version, artifact);
        PanacheQuery<DeltaArtifact> q;
        if (status == null) {
            q = DeltaArtifact.find("targetArtifactId", Sort.by("createdAt").and("id"), target.id);
        } else {
            DeltaStatus s = DeltaStatus.parse(status);
            if (s == null) {
                throw DomainException.of(ErrorCode.INVALID_PARAMETER, "status: '" + status
                        + "' is not one of pending, building, ready, useless, failed");
            }
            q = DeltaArtifact.find("targetArtifactId = ?1 and status = ?2", Sort.by("createdAt").and("id"), target.id, s);
        }
        List<DeltaArtifact> rows = q.page(page).list();
        Map<UUID, DeltaApi.BaseArtifact> bases = new HashMap<>();
        List<DeltaApi.DeltaView> views = rows.stream().map(d -> view(d, target, bases)).toList();
        return new Page<>(views, page.index, page.size, q.count());
    }

    @Transactional
    public DeltaApi.DeltaView get(String model, String version, String artifact, UUID id) {
        Artifact target = artifacts.find(model, version, artifact);
        return view(delta(target, id), target, new HashMap<>());
    }

    /** Queues the delta from the named base unless it exists; returns it either way. */
    @Transactional
    public Requested request(String model, String version, String artifact, DeltaApi.DeltaRequest body) {
        if (body == null) {
            throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: {\"baseVersion\": \"1.0.0\"} or {\"baseSha256\": \"…\"}");
        }
        if ((body.baseVersion() == null) == (body.baseSha256() == null)) {
            throw DomainException.of(ErrorCode.BAD_REQUEST, "give exactly one of baseVersion or baseSha256");
        }
        Artifact target = artifacts.find(model, version, artifact);
        ModelVersion v = target.version;
        if (!v.status.isDeployable()) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "version " + v.version + " of '" + model + "' is "
                    + v.status.wireName() + "; deltas are built for published or deprecated versions only");
        }
        if (!config.enabled()) {
            throw DomainException.of(ErrorCode.CONFLICT, "deltas are turned off on this server (modelyard.delta.enabled=false)");
        }
        if (target.size < config.minSize().asLongValue()) {
            throw DomainException.of(ErrorCode.DELTA_TARGET_TOO_SMALL, "'" + target.filename + "' has " + target.size
                    + " bytes, fewer than the " + config.minSize().asLongValue() + " a delta is built for");
        }
        Artifact base = body.baseVersion() != null ? baseOfVersion(target, body.baseVersion()) : baseByDigest(target, body.baseSha256());
        if (base.sha256.equals(target.sha256)) {
            throw DomainException.of(ErrorCode.DELTA_BASE_INVALID, "the base has the same bytes as '" + target.filename
                    + "' (sha256 " + target.sha256 + "): there is nothing to rebuild");
        }
        boolean created = planner.request(tenants.current(), target.id, target.size, base.sha256, base.id, DeltaPlanner.API);
        DeltaArtifact d = DeltaArtifact.<DeltaArtifact>find("targetArtifactId = ?1 and baseSha256 = ?2", target.id, base.sha256)
                .firstResult();
        return new Requested(view(d, target, new HashMap<>()), created);
    }

    /** A FAILED or USELESS delta is built again from scratch (e.g. after its base's blob came back, or a better encoder). */
    @Transactional
    public DeltaApi.DeltaView retry(String model, String version, String artifact, UUID id) {
        Artifact target = artifacts.find(model, version, artifact);
        DeltaArtifact d = delta(target, id);
        if (d.status != DeltaStatus.FAILED && d.status != DeltaStatus.USELESS) {
            throw DomainException.of(ErrorCode.INVALID_STATUS_TRANSITION, "delta " + id + " is " + d.status.wireName()
                    + "; only failed or useless deltas can be built again");
        }
        if (!config.enabled()) {
            throw DomainException.of(ErrorCode.CONFLICT, "deltas are turned off on this server (modelyard.delta.enabled=false)");
        }
        d.status = DeltaStatus.PENDING;
        d.attempts = 0;
        d.error = null;
        d.method = null;
        d.size = null;
        d.buildMillis = null;
        d.builtAt = null;
        d.notBefore = clock.instant();
        return view(d, target, new HashMap<>());
    }

    private static DeltaArtifact delta(Artifact target, UUID id) {
        return DeltaArtifact.<DeltaArtifact>find("id = ?1 and targetArtifactId = ?2", id, target.id).firstResultOptional()
                .orElseThrow(() -> DomainException.of(ErrorCode.DELTA_NOT_FOUND, "'" + target.filename + "' has no delta " + id));
    }

    /** The base version's artifact for the target's exact target, else its only (or first by name) of the same format. */
    private Artifact baseOfVersion(Artifact target, String ref) {
        ModelVersion bv;
        try {
            bv = models.resolve(target.version.model, ref);
        } catch (DomainException e) {
            if (e.code() != ErrorCode.VERSION_NOT_FOUND && e.code() != ErrorCode.ALIAS_NOT_FOUND) throw e;
            throw DomainException.field(ErrorCode.DELTA_BASE_INVALID, "baseVersion", "baseVersion: '" + target.version.model.name
                    + "' has no version '" + ref + "'");
        }
        List<Artifact> candidates = Artifact.<Artifact>list("version = ?1 and format = ?2", Sort.by("filename"), bv, target.format);
        return candidates.stream().filter(a -> Objects.equals(a.target(), target.target())).findFirst()
                .or(() -> candidates.stream().findFirst())
                .orElseThrow(() -> DomainException.field(ErrorCode.DELTA_BASE_INVALID, "baseVersion", "baseVersion: version "
                        + bv.version + " has no artifact of format " + target.format));
    }

    /** An artifact of this model with these bytes: a digest alone must never reach another model's or tenant's files. */
    private static Artifact baseByDigest(Artifact target, String sha256) {
        String sha = sha256.toLowerCase(Locale.ROOT);
        if (!Digests.isSha256Hex(sha)) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "baseSha256", "baseSha256: must be 64 hexadecimal digits");
        }
        return Artifact.<Artifact>find("sha256 = ?1 and version.model = ?2", Sort.by("createdAt"), sha, target.version.model)
                .firstResultOptional()
                .orElseThrow(() -> DomainException.field(ErrorCode.DELTA_BASE_INVALID, "baseSha256", "baseSha256: no artifact of '"
                        + target.version.model.name + "' has the SHA-256 " + sha));
    }

    private static DeltaApi.DeltaView view(DeltaArtifact d, Artifact target, Map<UUID, DeltaApi.BaseArtifact> bases) {
        DeltaApi.BaseArtifact base = d.baseArtifactId == null ? null : bases.computeIfAbsent(d.baseArtifactId, id ->
                Optional.ofNullable(Artifact.<Artifact>findById(id))
                        .map(a -> new DeltaApi.BaseArtifact(a.version.model.name, a.version.version, a.filename)).orElse(null));
        Double ratio = d.size == null || d.targetSize == 0 ? null : (double) d.size / d.targetSize;
        return new DeltaApi.DeltaView(d.id, d.targetArtifactId, target.sha256, d.baseSha256, base, d.method, d.format,
                d.status.wireName(), d.size, d.targetSize, ratio, d.buildMillis, d.requestedBy, d.attempts, d.error,
                d.createdAt, d.builtAt, d.status == DeltaStatus.PENDING ? d.notBefore : null);
    }
}
