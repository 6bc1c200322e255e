package dev.modelyard.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.server.http.ApiException;
import dev.modelyard.server.http.ProblemCode;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.http.UnknownNameException;
import dev.modelyard.server.model.ModelApi.AliasView;
import dev.modelyard.server.model.ModelApi.CreateModel;
import dev.modelyard.server.model.ModelApi.CreateVersion;
import dev.modelyard.server.model.ModelApi.ModelView;
import dev.modelyard.server.model.ModelApi.VersionView;
import dev.modelyard.server.storage.Digests;
import dev.modelyard.wire.IoSignature;
import dev.modelyard.wire.SemVer;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.hibernate.exception.ConstraintViolationException;

/** Models, their versions and aliases: the rules of the registry's catalogue. */
@ApplicationScoped
public class ModelService {

    /** A pseudo-alias every model has: its highest published release (pre-releases excluded). */
    public static final String LATEST = "latest";
    private static final Pattern LABEL_KEY = Pattern.compile("[a-z0-9][a-z0-9._/-]{0,62}");
    private static final int MAX_LABELS = 64;
    private static final int MAX_TEXT = 4096;
    private static final int MAX_CHANGELOG = 65536;
    /** What a model's merge patch may change. */
    private static final Set<String> MODEL_PATCH = Set.of("description", "task", "framework", "labels");
    /** What a version's merge patch may change (a released version: only its status). */
    private static final Set<String> VERSION_PATCH = Set.of("status", "changelog", "metrics", "lineage", "ioSignature", "selfTest");

    private final EntityManager em;
    private final ObjectMapper json;
    private final Clock clock;
    private final Event<VersionPublished> published;
    private final Event<VersionRevoked> revoked;

    public ModelService(EntityManager em, ObjectMapper json, Clock clock, Event<VersionPublished> published,
                        Event<VersionRevoked> revoked) {
        this.em = em;
        this.json = json;
        this.clock = clock;
        this.published = published;
        this.revoked = revoked;
    }

    // ---- models ---------------------------------------------------------------------------

    @Transactional
    public ModelView createModel(CreateModel body, String by) {
        if (body == null) throw ApiException.of(ProblemCode.MISSING_BODY, "request body is required");
        Names.require("name", body.name());
        if (Model.findByName(body.name()).isPresent()) {
            throw ApiException.of(ProblemCode.ALREADY_EXISTS, "model '" + body.name() + "' already exists");
        }
        Instant now = clock.instant();
        Model m = new Model();
        m.name = body.name();
        m.description = text("description", body.description(), MAX_TEXT);
        m.task = text("task", body.task(), 128);
        m.framework = text("framework", body.framework(), 128);
        m.labels = labels(body.labels());
        m.createdAt = now;
        m.updatedAt = now;
        m.createdBy = by;
        persistUnique(m, "model '" + m.name + "' already exists");
        return view(m);
    }

    /** Filters: label "key:value" (all must match), framework, task, and a name prefix. */
    @Transactional
    public Page<ModelView> listModels(List<String> labelFilters, String framework, String task, String namePrefix,
                                      io.quarkus.panache.common.Page page) {
        StringBuilder where = new StringBuilder();
        Map<String, Object> params = new HashMap<>();
        int i = 0;
        for (String f : labelFilters == null ? List.<String>of() : labelFilters) {
            int colon = f.indexOf(':');
            if (colon <= 0) throw ApiException.parameter(ProblemCode.INVALID_PARAMETER, "label", "label: '" + f + "' must be key:value");
            where.append(" and exists (select 1 from Model x join x.labels l where x = m and key(l) = :lk").append(i)
                    .append(" and value(l) = :lv").append(i).append(")");
            params.put("lk" + i, f.substring(0, colon));
            params.put("lv" + i, f.substring(colon + 1));
            i++;
        }
        if (framework != null) {
            where.append(" and framework = :framework");
            params.put("framework", framework);
        }
        if (task != null) {
            where.append(" and task = :task");
            params.put("task", task);
        }
        if (namePrefix != null) {
            where.append(" and name like :prefix escape '\\'");
            params.put("prefix", namePrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        PanacheQuery<Model> q = Model.find("from Model m" + whereClause(where) + " order by name", params).page(page);
        return new Page<>(views(q.list()), page.index, page.size, q.count());
    }

    @Transactional
    public ModelView getModel(String name) {
        return view(model(name));
    }

    /** Applies a JSON merge patch (RFC 7396) to description, task, framework and labels. */
    @Transactional
    public ModelView patchModel(String name, JsonNode patch) {
        Model m = model(name);
        ObjectNode p = object(patch);
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode v = p.get(field);
            switch (field) {
                case "description" -> m.description = text(field, textOrNull(field, v), MAX_TEXT);
                case "task" -> m.task = text(field, textOrNull(field, v), 128);
                case "framework" -> m.framework = text(field, textOrNull(field, v), 128);
                case "labels" -> m.labels = labels(mergeLabels(m.labels, v));
                case "name" -> throw ApiException.field(ProblemCode.INVALID_FIELD, "name", "name: a model cannot be renamed");
                default -> throw UnknownNameException.field(field, MODEL_PATCH);
            }
        }
        m.updatedAt = clock.instant();
        return view(m);
    }

    /** Deletes a model that never released anything (only drafts, which go with it). */
    @Transactional
    public void deleteModel(String name) {
        Model m = model(name);
        long released = ModelVersion.count("model = ?1 and status <> ?2", m, VersionStatus.DRAFT);
        if (released > 0) {
            throw ApiException.of(ProblemCode.MODEL_HAS_RELEASES, "model '" + name + "' has " + released
                    + " released version(s); deprecate or revoke them instead of deleting the model");
        }
        ModelAlias.delete("model", m);
        em.createQuery("delete from Artifact a where a.version.id in (select v.id from ModelVersion v where v.model = ?1)")
                .setParameter(1, m).executeUpdate();
        ModelVersion.delete("model", m);
        m.delete();
    }

    // ---- versions -------------------------------------------------------------------------

    @Transactional
    public VersionView createVersion(String modelName, CreateVersion body, String by) {
        if (body == null) throw ApiException.of(ProblemCode.MISSING_BODY, "request body is required");
        Model m = model(modelName);
        SemVer semver = semver(body.version());
        if (ModelVersion.count("model = ?1 and sortKey = ?2", m, semver.sortKey()) > 0) {
            throw ApiException.of(ProblemCode.ALREADY_EXISTS, "model '" + modelName + "' already has version " + semver
                    + " (versions differing only in build metadata are the same version)");
        }
        Instant now = clock.instant();
        ModelVersion v = new ModelVersion();
        v.model = m;
        v.version = semver.toString();
        v.sortKey = semver.sortKey();
        v.changelog = text("changelog", body.changelog(), MAX_CHANGELOG);
        v.metrics = body.metrics() == null ? Map.of() : metrics(body.metrics());
        v.lineage = body.lineage() == null ? Map.of() : body.lineage();
        v.ioSignature = ioSignature(body.ioSignature());
        v.selfTest = selfTest(body.selfTest() == null ? null : json.valueToTree(body.selfTest()));
        v.createdAt = now;
        v.updatedAt = now;
        v.createdBy = by;
        persistUnique(v, "model '" + modelName + "' already has version " + semver);
        return view(v);
    }

    @Transactional
    public Page<VersionView> listVersions(String modelName, VersionStatus status, io.quarkus.panache.common.Page page) {
        Model m = model(modelName);
        PanacheQuery<ModelVersion> q = status == null
                ? ModelVersion.find("model = ?1 order by sortKey desc", m)
                : ModelVersion.find("model = ?1 and status = ?2 order by sortKey desc", m, status);
        q.page(page);
        List<ModelVersion> versions = q.list();
        Map<Long, Long> counts = artifactCounts(versions);
        return new Page<>(versions.stream().map(v -> view(v, counts.getOrDefault(v.id, 0L))).toList(),
                page.index, page.size, q.count());
    }

    @Transactional
    public VersionView getVersion(String modelName, String ref) {
        return view(resolve(model(modelName), ref));
    }

    /**
     * Applies a JSON merge patch. Drafts accept every descriptive field; released versions are
     * immutable except for their status (deprecate, revoke, un-deprecate).
     */
    @Transactional
    public VersionView patchVersion(String modelName, String version, JsonNode patch) {
        Model m = model(modelName);
        ModelVersion v = locked(exact(m, version));
        ObjectNode p = object(patch);
        // Unknown fields first: a typo must not be answered with "immutable" on a released version.
        p.fieldNames().forEachRemaining(field -> {
            if (!VERSION_PATCH.contains(field)) throw UnknownNameException.field(field, VERSION_PATCH);
        });
        for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode value = p.get(field);
            if (field.equals("status")) {
                changeStatus(v, status(textOrNull(field, value)));
                continue;
            }
            if (v.status != VersionStatus.DRAFT) {
                throw ApiException.of(ProblemCode.VERSION_IMMUTABLE, "version " + v.version + " of '" + modelName + "' is " + v.status.wireName()
                        + " and immutable; only its status can change");
            }
            switch (field) {
                case "changelog" -> v.changelog = text(field, textOrNull(field, value), MAX_CHANGELOG);
                case "metrics" -> v.metrics = value.isNull() ? Map.of() : metrics(convert(field, value, Map.class));
                case "lineage" -> v.lineage = value.isNull() ? Map.of() : convert(field, value, Map.class);
                case "ioSignature" -> v.ioSignature = value.isNull() ? null : ioSignature(convert(field, value, IoSignature.class));
                case "selfTest" -> v.selfTest = selfTest(value.isNull() ? null : value);
                default -> throw new IllegalStateException("patchable but not handled: " + field);
            }
        }
        v.updatedAt = clock.instant();
        return view(v);
    }

    private void changeStatus(ModelVersion v, VersionStatus to) {
        if (to == v.status) return;
        if (to == VersionStatus.PUBLISHED && v.status == VersionStatus.DRAFT) {
            throw ApiException.of(ProblemCode.INVALID_STATUS_TRANSITION, "publish a draft with POST …/versions/" + v.version + "/publish");
        }
        if (!v.status.patchTargets().contains(to)) {
            throw ApiException.of(ProblemCode.INVALID_STATUS_TRANSITION, "version " + v.version + " cannot go from " + v.status.wireName() + " to " + to.wireName());
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
        Model m = model(modelName);
        ModelVersion v = locked(exact(m, version));
        if (v.status != VersionStatus.DRAFT) {
            throw ApiException.of(ProblemCode.VERSION_NOT_DRAFT, "version " + v.version + " of '" + modelName + "' is already " + v.status.wireName());
        }
        if (artifactCount(v) == 0) {
            throw ApiException.of(ProblemCode.VERSION_NOT_PUBLISHABLE, "version " + v.version + " has no artifacts; upload at least one before publishing");
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
        return view(v);
    }

    @Transactional
    public void deleteVersion(String modelName, String version) {
        ModelVersion v = exact(model(modelName), version);
        if (v.status != VersionStatus.DRAFT) {
            throw ApiException.of(ProblemCode.VERSION_NOT_DRAFT, "version " + v.version + " is " + v.status.wireName()
                    + "; only drafts can be deleted (deprecate or revoke released versions)");
        }
        em.createQuery("delete from Artifact a where a.version = ?1").setParameter(1, v).executeUpdate();
        v.delete();
    }

    /** The draft a caller may change files of: 404 when unknown, 409 when released. */
    @Transactional
    public ModelVersion draftForChange(String modelName, String version) {
        ModelVersion v = locked(exact(model(modelName), version));
        if (v.status != VersionStatus.DRAFT) {
            throw ApiException.of(ProblemCode.VERSION_IMMUTABLE, "version " + v.version + " of '" + modelName + "' is " + v.status.wireName()
                    + "; its files cannot change (create a new version)");
        }
        return v;
    }

    /**
     * The version, re-read under a row lock for the rest of the transaction: publication, edits
     * and file changes of one version happen one after the other, never over each other.
     */
    private ModelVersion locked(ModelVersion v) {
        em.refresh(v, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        return v;
    }

    // ---- aliases --------------------------------------------------------------------------

    @Transactional
    public AliasView setAlias(String modelName, String alias, ModelApi.SetAlias body, String by) {
        Names.require("alias", alias);
        if (SemVer.isValid(alias) || alias.equals(LATEST)) {
            throw ApiException.of(ProblemCode.INVALID_NAME, "alias: '" + alias + "' is reserved (a version number or 'latest')");
        }
        if (body == null || body.version() == null) throw ApiException.field(ProblemCode.MISSING_FIELD, "version", "version: is required");
        Model m = model(modelName);
        ModelVersion v = exact(m, body.version());
        if (v.status != VersionStatus.PUBLISHED) {
            throw ApiException.of(ProblemCode.VERSION_NOT_DEPLOYABLE, "alias '" + alias + "' can only point at a published version; "
                    + v.version + " is " + v.status.wireName());
        }
        ModelAlias a = ModelAlias.<ModelAlias>find("model = ?1 and name = ?2", m, alias).firstResultOptional()
                .orElseGet(ModelAlias::new);
        a.model = m;
        a.name = alias;
        a.version = v;
        a.updatedAt = clock.instant();
        a.updatedBy = by;
        if (!a.isPersistent()) persistUnique(a, "alias '" + alias + "' was created concurrently; retry");
        return aliasView(a);
    }

    @Transactional
    public List<AliasView> aliases(String modelName) {
        return ModelAlias.<ModelAlias>list("model = ?1 order by name", model(modelName)).stream()
                .map(this::aliasView).toList();
    }

    @Transactional
    public void deleteAlias(String modelName, String alias) {
        Model m = model(modelName);
        if (ModelAlias.delete("model = ?1 and name = ?2", m, alias) == 0) {
            throw ApiException.of(ProblemCode.ALIAS_NOT_FOUND, "model '" + modelName + "' has no alias '" + alias + "'");
        }
    }

    // ---- lookups shared with the artifact endpoints ----------------------------------------

    public Model model(String name) {
        return Model.findByName(name).orElseThrow(() -> ApiException.of(ProblemCode.MODEL_NOT_FOUND, "no model named '" + name + "'"));
    }

    /** A version by number, alias or {@value #LATEST}. */
    public ModelVersion resolve(Model m, String ref) {
        if (SemVer.isValid(ref)) {
            return exact(m, ref);
        }
        if (ref.equals(LATEST)) {
            return ModelVersion.<ModelVersion>find(
                            "model = ?1 and status = ?2 and sortKey like '%~' order by sortKey desc", m, VersionStatus.PUBLISHED)
                    .firstResultOptional()
                    .orElseThrow(() -> ApiException.of(ProblemCode.VERSION_NOT_FOUND, "model '" + m.name + "' has no published release yet"));
        }
        return ModelAlias.<ModelAlias>find("model = ?1 and name = ?2", m, ref).firstResultOptional()
                .map(a -> a.version)
                .orElseThrow(() -> ApiException.of(ProblemCode.VERSION_NOT_FOUND, "model '" + m.name + "' has no version or alias '" + ref + "'"));
    }

    public ModelVersion exact(Model m, String version) {
        SemVer s = semver(version);
        return ModelVersion.<ModelVersion>find("model = ?1 and sortKey = ?2", m, s.sortKey()).firstResultOptional()
                .orElseThrow(() -> ApiException.of(ProblemCode.VERSION_NOT_FOUND, "model '" + m.name + "' has no version " + version));
    }

    // ---- views ----------------------------------------------------------------------------

    private ModelView view(Model m) {
        return views(List.of(m)).get(0);
    }

    /** Views of a page of models, with their aliases and latest release fetched in two queries, not two per model. */
    private List<ModelView> views(List<Model> models) {
        if (models.isEmpty()) return List.of();
        Map<Long, Map<String, String>> aliases = new HashMap<>();
        for (Object[] r : em.createQuery("select a.model.id, a.name, a.version.version from ModelAlias a where a.model in :models",
                Object[].class).setParameter("models", models).getResultList()) {
            aliases.computeIfAbsent((Long) r[0], k -> new TreeMap<>()).put((String) r[1], (String) r[2]);
        }
        Map<Long, String[]> latest = new HashMap<>();
        for (Object[] r : em.createQuery("select v.model.id, v.version, v.sortKey from ModelVersion v "
                        + "where v.model in :models and v.status = :published and v.sortKey like '%~'", Object[].class)
                .setParameter("models", models).setParameter("published", VersionStatus.PUBLISHED).getResultList()) {
            latest.merge((Long) r[0], new String[]{(String) r[1], (String) r[2]}, (a, b) -> a[1].compareTo(b[1]) >= 0 ? a : b);
        }
        return models.stream().map(m -> new ModelView(m.name, m.description, m.task, m.framework, new TreeMap<>(m.labels),
                aliases.getOrDefault(m.id, new TreeMap<>()), latest.containsKey(m.id) ? latest.get(m.id)[0] : null,
                m.createdAt, m.updatedAt, m.createdBy)).toList();
    }

    public VersionView view(ModelVersion v) {
        return view(v, artifactCount(v));
    }

    private VersionView view(ModelVersion v, long artifactCount) {
        return new VersionView(v.model.name, v.version, v.status, v.changelog, v.metrics, v.lineage, v.ioSignature,
                v.selfTest, v.selfTestSha256 == null ? null : v.selfTestSha256.strip(), artifactCount, v.releaseCounter, v.createdAt, v.createdBy, v.updatedAt, v.publishedAt);
    }

    private Map<Long, Long> artifactCounts(List<ModelVersion> versions) {
        Map<Long, Long> counts = new HashMap<>();
        if (versions.isEmpty()) return counts;
        for (Object[] r : em.createQuery("select a.version.id, count(a) from Artifact a where a.version in :versions "
                + "group by a.version.id", Object[].class).setParameter("versions", versions).getResultList()) {
            counts.put((Long) r[0], (Long) r[1]);
        }
        return counts;
    }

    private AliasView aliasView(ModelAlias a) {
        return new AliasView(a.model.name, a.name, a.version.version, a.updatedAt, a.updatedBy);
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

    private long artifactCount(ModelVersion v) {
        return em.createQuery("select count(a) from Artifact a where a.version = ?1", Long.class)
                .setParameter(1, v).getSingleResult();
    }

    // ---- validation -----------------------------------------------------------------------

    private static SemVer semver(String version) {
        try {
            return SemVer.parse(version);
        } catch (IllegalArgumentException e) {
            throw ApiException.of(ProblemCode.INVALID_PARAMETER, "version: " + e.getMessage());
        }
    }

    /** The status a merge patch asks for. */
    public static VersionStatus status(String text) {
        try {
            return VersionStatus.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.field(ProblemCode.INVALID_FIELD, "status", e.getMessage(), VersionStatus.wireNames());
        }
    }

    /** The status a list is filtered by. */
    public static VersionStatus statusFilter(String text) {
        try {
            return VersionStatus.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.parameter(ProblemCode.INVALID_PARAMETER, "status", e.getMessage(), VersionStatus.wireNames());
        }
    }

    private static String text(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.field(ProblemCode.INVALID_FIELD, field, field + ": longer than " + max + " characters");
        }
        return value;
    }

    private static Map<String, String> labels(Map<String, String> labels) {
        if (labels == null) return new TreeMap<>();
        if (labels.size() > MAX_LABELS) throw ApiException.field(ProblemCode.INVALID_FIELD, "labels", "labels: at most " + MAX_LABELS + " labels");
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!LABEL_KEY.matcher(e.getKey()).matches()) {
                throw ApiException.field(ProblemCode.INVALID_FIELD, "labels", "labels: key '" + e.getKey()
                        + "' must be lower-case letters, digits, '.', '_', '/', '-' (at most 63)");
            }
            if (e.getValue() == null || e.getValue().length() > 256) {
                throw ApiException.field(ProblemCode.INVALID_FIELD, "labels", "labels: value of '" + e.getKey() + "' must be a string of at most 256 characters");
            }
        }
        return new TreeMap<>(labels);
    }

    private Map<String, String> mergeLabels(Map<String, String> current, JsonNode patch) {
        if (patch.isNull()) return new TreeMap<>();
        if (!patch.isObject()) throw ApiException.field(ProblemCode.INVALID_FIELD_TYPE, "labels", "labels: must be an object");
        Map<String, String> merged = new LinkedHashMap<>(current);
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) merged.remove(e.getKey());
            else if (e.getValue().isTextual()) merged.put(e.getKey(), e.getValue().asText());
            else throw ApiException.field(ProblemCode.INVALID_FIELD_TYPE, "labels", "labels: value of '" + e.getKey() + "' must be a string or null");
        });
        return merged;
    }

    private static Map<String, Double> metrics(Map<?, ?> metrics) {
        Map<String, Double> out = new TreeMap<>();
        metrics.forEach((k, v) -> {
            if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw ApiException.field(ProblemCode.INVALID_FIELD, "metrics", "metrics: value of '" + k + "' must be a finite number");
            }
            out.put(String.valueOf(k), n.doubleValue());
        });
        return out;
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
        v.selfTestDocument = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        v.selfTestSha256 = Digests.hex(Digests.sha256().digest(bytes));
    }

    private static IoSignature ioSignature(IoSignature s) {
        if (s == null) return null;
        try {
            s.validate();
            return s;
        } catch (IllegalArgumentException e) {
            throw ApiException.field(ProblemCode.INVALID_FIELD, "ioSignature", e.getMessage());
        }
    }

    private static ObjectNode object(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ApiException.of(ProblemCode.INVALID_FIELD_TYPE, "request body must be a JSON object (a JSON merge patch)");
        }
        return (ObjectNode) patch;
    }

    private static String textOrNull(String field, JsonNode v) {
        if (v.isNull()) return null;
        if (!v.isTextual()) throw ApiException.field(ProblemCode.INVALID_FIELD_TYPE, field, field + ": must be a string or null");
        return v.asText();
    }

    /** Binds a patched value as strictly as a request body is bound: unknown fields are named, with their path. */
    @SuppressWarnings("unchecked")
    private <T> T convert(String field, JsonNode value, Class<?> type) {
        try {
            return (T) json.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(value);
        } catch (UnrecognizedPropertyException e) {
            throw UnknownNameException.field(field, e);
        } catch (Exception e) {
            throw ApiException.field(ProblemCode.INVALID_FIELD, field, field + ": " + e.getMessage().split("\n")[0]);
        }
    }

    private void persistUnique(io.quarkus.hibernate.orm.panache.PanacheEntityBase entity, String conflictMessage) {
        try {
            entity.persistAndFlush();
        } catch (PersistenceException e) {
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw ApiException.of(ProblemCode.ALREADY_EXISTS, conflictMessage);
            }
            throw e;
        }
    }

    /** The where clause of conditions each written as {@code " and <condition>"}; empty for none. */
    private static String whereClause(CharSequence conditions) {
        return conditions.isEmpty() ? "" : " where " + conditions.toString().substring(" and ".length());
    }
}
