package dev.modelyard.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.error.UnknownNameException;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.ModelApi.CreateVersion;
import dev.modelyard.server.model.ModelApi.VersionView;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.wire.IoSignature;
import dev.modelyard.wire.SemVer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A version's life: a draft is created and edited, published once (taking the model's next
 * release counter), then deprecated, un-deprecated or revoked; only drafts are deleted and only
 * drafts change their files.
 */
@ApplicationScoped
public class VersionLifecycle {

    private static final int MAX_CHANGELOG = 65536;
    /** What a version's merge patch may change (a released version: only its status). */
    private static final Set<String> VERSION_PATCH = Set.of("status", "changelog", "metrics", "lineage", "ioSignature", "selfTest");

    private final EntityManager em;
    private final ObjectMapper json;
    private final Clock clock;
    private final ModelLookup lookup;
    private final ModelViews views;
    private final Event<VersionPublished> published;
    private final Event<VersionRevoked> revoked;
    private final LiveEvents live;

    VersionLifecycle(EntityManager em, ObjectMapper json, Clock clock, ModelLookup lookup, ModelViews views,
                     Event<VersionPublished> published, Event<VersionRevoked> revoked, LiveEvents live) {
        this.live = live;
        this.em = em;
        this.json = json;
        this.clock = clock;
        this.lookup = lookup;
        this.views = views;
        this.published = published;
        this.revoked = revoked;
    }

    @Transactional
    public VersionView create(String modelName, CreateVersion body, String by) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        Model m = lookup.model(modelName);
        SemVer semver = ModelLookup.semver(body.version());
        if (ModelVersion.count("model = ?1 and sortKey = ?2", m, semver.sortKey()) > 0) {
            throw DomainException.of(ErrorCode.ALREADY_EXISTS, "model '" + modelName + "' already has version " + semver
                    + " (versions differing only in build metadata are the same version)");
        }
        Instant now = clock.instant();
        ModelVersion v = new ModelVersion();
        v.model = m;
        v.version = semver.toString();
        v.sortKey = semver.sortKey();
        v.changelog = ModelFields.text("changelog", body.changelog(), MAX_CHANGELOG);
        v.metrics = body.metrics() == null ? Map.of() : ModelFields.metrics(body.metrics());
        v.lineage = body.lineage() == null ? Map.of() : body.lineage();
        v.ioSignature = ModelFields.ioSignature(body.ioSignature());
        v.selfTest = selfTest(body.selfTest() == null ? null : json.valueToTree(body.selfTest()));
        v.createdAt = now;
        v.updatedAt = now;
        v.createdBy = by;
        ModelFields.persistUnique(v, "model '" + modelName + "' already has version " + semver);
        live.version(m.name, v.version);
        return views.view(v);
    }

    /**
     * Applies a JSON merge patch. Drafts accept every descriptive field; released versions are
     * immutable except for their status (deprecate, revoke, un-deprecate).
     */
    @Transactional
    public VersionView patch(String modelName, String version, JsonNode patch) {
        Model m = lookup.model(modelName);
        ModelVersion v = locked(lookup.exact(m, version));
        ObjectNode p = ModelFields.object(patch);
        // Unknown fields first: a typo must not be answered with "immutable" on a released version.
        p.fieldNames().forEachRemaining(field -> {
            if (!VERSION_PATCH.contains(field)) throw UnknownNameException.field(field, VERSION_PATCH);
        });
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode value = p.get(field);
            if (field.equals("status")) {
                changeStatus(v, status(ModelFields.textOrNull(field, value)));
                continue;
            }
            if (v.status != VersionStatus.DRAFT) {
                throw DomainException.of(ErrorCode.VERSION_IMMUTABLE, "version " + v.version + " of '" + modelName + "' is " + v.status.wireName()
                        + " and immutable; only its status can change");
            }
            switch (field) {
                case "changelog" -> v.changelog = ModelFields.text(field, ModelFields.textOrNull(field, value), MAX_CHANGELOG);
                case "metrics" -> v.metrics = value.isNull() ? Map.of() : ModelFields.metrics(ModelFields.convert(json, field, value, Map.class));
                case "lineage" -> v.lineage = value.isNull() ? Map.of() : ModelFields.convert(json, field, value, Map.class);
                case "ioSignature" -> v.ioSignature = value.isNull() ? null
                        : ModelFields.ioSignature(ModelFields.convert(json, field, value, IoSignature.class));
                case "selfTest" -> v.selfTest = selfTest(value.isNull() ? null : value);
                default -> throw new IllegalStateException("patchable but not handled: " + field);
            }
        }
        v.updatedAt = clock.instant();
        live.version(m.name, v.version);
        return views.view(v);
    }

    private void changeStatus(ModelVersion v, VersionStatus to) {
        if (to == v.status) return;
        if (to == VersionStatus.PUBLISHED && v.status == VersionStatus.DRAFT) {
            throw DomainException.of(ErrorCode.INVALID_STATUS_TRANSITION, "publish a draft with POST …/versions/" + v.version + "/publish");
        }
        if (!v.status.patchTargets().contains(to)) {
            throw DomainException.of(ErrorCode.INVALID_STATUS_TRANSITION, "version " + v.version + " cannot go from " + v.status.wireName() + " to " + to.wireName());
        }
        if (to == VersionStatus.REVOKED) {
            // A revoked version must never be offered again, so no alias may keep pointing at it.
            ModelAlias.delete("version", v);
        }
        v.status = to;
        if (to == VersionStatus.REVOKED) {
            em.flush();
            revoked.fire(new VersionRevoked(v.id));
        }
    }

    @Transactional
    public VersionView publish(String modelName, String version) {
        Model m = lookup.model(modelName);
        ModelVersion v = locked(lookup.exact(m, version));
        if (v.status != VersionStatus.DRAFT) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DRAFT, "version " + v.version + " of '" + modelName + "' is already " + v.status.wireName());
        }
        if (views.artifactCount(v) == 0) {
            throw DomainException.of(ErrorCode.VERSION_NOT_PUBLISHABLE, "version " + v.version + " has no artifacts; upload at least one before publishing");
        }
        freezeSelfTest(v);
        // Taken before the version changes: the native update flushes pending changes first.
        long counter = nextReleaseCounter(m);
        Instant now = clock.instant();
        v.status = VersionStatus.PUBLISHED;
        v.publishedAt = now;
        v.updatedAt = now;
        v.releaseCounter = counter;
        em.flush();
        published.fire(new VersionPublished(v.id, m.tenant, m.name, v.version, v.releaseCounter));
        live.version(m.name, v.version);
        return views.view(v);
    }

    @Transactional
    public void delete(String modelName, String version) {
        ModelVersion v = lookup.exact(lookup.model(modelName), version);
        if (v.status != VersionStatus.DRAFT) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DRAFT, "version " + v.version + " is " + v.status.wireName()
                    + "; only drafts can be deleted (deprecate or revoke released versions)");
        }
        em.createQuery("delete from Artifact a where a.version = ?1").setParameter(1, v).executeUpdate();
        v.delete();
        live.version(v.model.name, v.version);
    }

    /** The draft a caller may change files of: VERSION_NOT_FOUND when unknown, VERSION_IMMUTABLE when released. */
    @Transactional
    public ModelVersion draftForChange(String modelName, String version) {
        ModelVersion v = locked(lookup.exact(lookup.model(modelName), version));
        if (v.status != VersionStatus.DRAFT) {
            throw DomainException.of(ErrorCode.VERSION_IMMUTABLE, "version " + v.version + " of '" + modelName + "' is " + v.status.wireName()
                    + "; its files cannot change (create a new version)");
        }
        return v;
    }

    /** The status a merge patch asks for. */
    public static VersionStatus status(String text) {
        try {
            return VersionStatus.parse(text);
        } catch (IllegalArgumentException e) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "status", e.getMessage(), VersionStatus.wireNames());
        }
    }

    /**
     * The version, re-read under a row lock for the rest of the transaction: publication, edits
     * and file changes of one version happen one after the other, never over each other.
     */
    private ModelVersion locked(ModelVersion v) {
        em.refresh(v, LockModeType.PESSIMISTIC_WRITE);
        return v;
    }

    /**
     * The model's next release counter. Atomic in the database, so concurrent publications of
     * one model get distinct, increasing counters; devices refuse anything lower than installed.
     */
    private long nextReleaseCounter(Model m) {
        Number n = (Number) em.createNativeQuery(
                        "UPDATE model SET release_counter = release_counter + 1 WHERE id = ?1 RETURNING release_counter")
                .setParameter(1, m.id).getSingleResult();
        return n.longValue();
    }

    private Map<String, Object> selfTest(JsonNode doc) {
        if (doc == null) return null;
        SelfTests.checkStructure(doc);
        return json.convertValue(doc, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
    }

    /**
     * Fixes the bytes devices will download and their digest, which the release metadata
     * carries: the editable JSON column may not give back the same bytes twice.
     */
    private void freezeSelfTest(ModelVersion v) {
        if (v.selfTest == null) {
            v.selfTestDocument = null;
            v.selfTestSha256 = null;
            return;
        }
        JsonNode doc = json.valueToTree(v.selfTest);
        SelfTests.checkStructure(doc);
        SelfTests.checkAgainst(doc, v.ioSignature, v.version);
        byte[] bytes = SelfTests.serialize(json, v.selfTest);
        v.selfTestDocument = new String(bytes, StandardCharsets.UTF_8);
        v.selfTestSha256 = Digests.hex(Digests.sha256().digest(bytes));
    }
}
