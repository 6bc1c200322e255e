package dev.modelyard.server.hawkbit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.deployment.Action;
import dev.modelyard.server.deployment.ActionStatusEntry;
import dev.modelyard.server.deployment.DeploymentApi;
import dev.modelyard.server.deployment.DeploymentService;
import dev.modelyard.server.device.Device;
import dev.modelyard.server.device.DeviceApi;
import dev.modelyard.server.device.DeviceService;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.Model;
import dev.modelyard.server.model.ModelApi;
import dev.modelyard.server.model.ModelCatalogue;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.model.VersionLifecycle;
import dev.modelyard.server.model.VersionStatus;
import dev.modelyard.wire.SemVer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * hawkBit's Management API mapped onto Modelyard's domain. A software module is a model version
 * (its number is the version's id), the model named after the module; a distribution set is the
 * same version with that one module (the same number); a target is a device; an action is an
 * action; an artifact number is the artifact's {@code number}.
 */
@ApplicationScoped
public class MgmtService {

    static final String BASE = dev.modelyard.server.http.ApiDocumentation.HAWKBIT_MGMT_PATH;
    static final String TYPE_LABEL = "hawkbit.type";
    private static final Pattern SHORT_VERSION = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern NOT_NAME = Pattern.compile("[^a-z0-9._-]+");

    private final EntityManager em;
    private final DeviceService devices;
    private final ModelLookup models;
    private final ModelCatalogue catalogue;
    private final VersionLifecycle versions;
    private final DeploymentService deployments;
    private final ObjectMapper json;
    private final HawkbitConfig config;

    public MgmtService(EntityManager em, DeviceService devices, ModelLookup models, ModelCatalogue catalogue,
                       VersionLifecycle versions, DeploymentService deployments, ObjectMapper json, HawkbitConfig config) {
        this.config = config;
        this.em = em;
        this.devices = devices;
        this.models = models;
        this.catalogue = catalogue;
        this.versions = versions;
        this.deployments = deployments;
        this.json = json;
    }

    // ---- targets ---------------------------------------------------------------------------

    @Transactional
    public List<MgmtApi.Target> createTargets(List<MgmtApi.TargetRequest> body, String by) {
        if (body == null || body.isEmpty()) throw DomainException.of(ErrorCode.MISSING_BODY, "request body: a JSON array of targets is required");
        List<MgmtApi.Target> out = new ArrayList<>();
        for (MgmtApi.TargetRequest t : body) {
            if (t == null || t.controllerId() == null) throw DomainException.of(ErrorCode.BAD_REQUEST, "controllerId: is required");
            DeviceService.Created c = devices.create(new DeviceApi.CreateDevice(t.controllerId(),
                    t.name() == null ? t.controllerId() : t.name(), t.description(), null, null), t.securityToken(),
                    config.readableTargetTokens(), by);
            // The token is shown once, in the create response, whether or not it is kept readable.
            out.add(target(c.device(), c.secret()));
        }
        return out;
    }

    @Transactional
    public MgmtApi.Target getTarget(String controllerId, boolean showToken) {
        return target(devices.device(controllerId), showToken);
    }

    /** Updates name, description, securityToken and requestAttributes; other fields are kept. */
    @Transactional
    public MgmtApi.Target updateTarget(String controllerId, MgmtApi.TargetRequest body, boolean showToken) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        if (body.controllerId() != null && !body.controllerId().equals(controllerId)) {
            throw DomainException.of(ErrorCode.BAD_REQUEST, "controllerId: a target cannot be renamed");
        }
        devices.patch(controllerId, new DeviceApi.PatchDevice(body.name(), body.description(), null));
        Device d = body.securityToken() != null ? devices.replaceToken(controllerId, body.securityToken(), config.readableTargetTokens())
                : devices.device(controllerId);
        if (Boolean.TRUE.equals(body.requestAttributes())) devices.requestAttributes(controllerId);
        return target(d, showToken);
    }

    @Transactional
    public MgmtApi.PagedList<MgmtApi.Target> listTargets(Paging paging, String q, boolean showToken) {
        Rsql.Where where = Rsql.parse(q, Rsql.TARGET_FIELDS);
        String jpql = "from Device" + Rsql.whereClause(where.jpql());
        Map<String, Object> params = new TreeMap<>(where.params());
        long total = Device.count(jpql, params);
        List<Device> page = Device.<Device>find(jpql + " order by " + paging.orderBy(Rsql.TARGET_FIELDS, "controllerId"), params)
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list();
        return MgmtApi.PagedList.of(page.stream().map(d -> target(d, showToken)).toList(), total);
    }

    @Transactional
    public void deleteTarget(String controllerId) {
        devices.delete(controllerId);
    }

    @Transactional
    public Map<String, String> attributes(String controllerId) {
        return new TreeMap<>(devices.device(controllerId).attributes);
    }

    /** The set of the target's newest action, if any. */
    @Transactional
    public Optional<MgmtApi.DistributionSet> assignedSet(String controllerId) {
        Device d = devices.device(controllerId);
        return Action.<Action>find("deviceId = ?1 order by id desc", d.id).firstResultOptional().map(a -> set(a.version));
    }

    /** The set of the target's most recently installed version, if any. */
    @Transactional
    public Optional<MgmtApi.DistributionSet> installedSet(String controllerId) {
        Device d = devices.device(controllerId);
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery(
                        "SELECT version_id FROM installed_model WHERE device_id = ?1 ORDER BY installed_at DESC, action_id DESC LIMIT 1")
                .setParameter(1, d.id).getResultList();
        return ids.isEmpty() ? Optional.empty() : Optional.of(set(ModelVersion.findById(ids.get(0).longValue())));
    }

    private MgmtApi.Target target(Device d, boolean showToken) {
        // Tokens stored readable while the setting was on stay hidden once it is off.
        return target(d, showToken && config.readableTargetTokens() ? d.tokenSecret : null);
    }

    private MgmtApi.Target target(Device d, String securityToken) {
        String self = BASE + "/targets/" + d.controllerId;
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(self));
        links.put("assignedDS", MgmtApi.Link.to(self + "/assignedDS"));
        links.put("installedDS", MgmtApi.Link.to(self + "/installedDS"));
        links.put("attributes", MgmtApi.Link.to(self + "/attributes"));
        links.put("actions", MgmtApi.Link.to(self + "/actions?offset=0&limit=50&sort=id%3ADESC"));
        Instant seen = d.id == null ? null : lastSeen(d.id);
        Instant installed = d.id == null ? null : installedAt(d.id);
        return new MgmtApi.Target(d.createdBy, millis(d.createdAt), d.createdBy, millis(d.updatedAt),
                d.name == null ? d.controllerId : d.name, d.description, d.controllerId, d.status.wireName(),
                millis(seen), millis(installed), seen == null ? null : new MgmtApi.PollStatus(millis(seen), null, false),
                securityToken, d.attributesRequested, links);
    }

    private Instant lastSeen(long deviceId) {
        Object t = em.createNativeQuery("SELECT last_seen_at FROM device WHERE id = ?1").setParameter(1, deviceId).getSingleResult();
        return t == null ? null : instant(t);
    }

    private Instant installedAt(long deviceId) {
        Object t = em.createNativeQuery("SELECT max(installed_at) FROM installed_model WHERE device_id = ?1")
                .setParameter(1, deviceId).getSingleResult();
        return t == null ? null : instant(t);
    }

    // ---- actions ---------------------------------------------------------------------------

    @Transactional
    public MgmtApi.PagedList<MgmtApi.Action> actions(String controllerId, Paging paging) {
        Device d = devices.device(controllerId);
        long total = Action.count("deviceId", d.id);
        List<Action> page = Action.<Action>find("deviceId = ?1 order by " + paging.orderBy(Rsql.ACTION_FIELDS, "id"), d.id)
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list();
        return MgmtApi.PagedList.of(page.stream().map(a -> action(a, controllerId)).toList(), total);
    }

    @Transactional
    public MgmtApi.Action action(String controllerId, long actionId) {
        return action(targetAction(controllerId, actionId), controllerId);
    }

    @Transactional
    public MgmtApi.PagedList<MgmtApi.ActionStatus> actionStatus(String controllerId, long actionId, Paging paging) {
        Action a = targetAction(controllerId, actionId);
        long total = ActionStatusEntry.count("actionId", a.id);
        List<ActionStatusEntry> page = ActionStatusEntry.<ActionStatusEntry>find(
                        "actionId = ?1 order by " + paging.orderBy(Map.of("id", "id", "reportedAt", "reportedAt"), "id"), a.id)
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list();
        return MgmtApi.PagedList.of(page.stream().map(s -> new MgmtApi.ActionStatus(s.id, s.type, s.messages,
                s.reportedAt.toEpochMilli(), s.occurredAt.toEpochMilli(), s.code)).toList(), total);
    }

    /** hawkBit's DELETE of an action: cancel it (the device is asked), or with force close it at once. */
    @Transactional
    public void cancel(String controllerId, long actionId, boolean force, String by) {
        Action a = targetAction(controllerId, actionId);
        if (!a.active) {
            throw DomainException.of(ErrorCode.ACTION_NOT_CANCELABLE, "action " + a.id + " is closed (" + a.status.wireName() + ") and cannot be canceled");
        }
        if (!force && a.status == dev.modelyard.server.deployment.ActionState.CANCELING) {
            throw DomainException.of(ErrorCode.ACTION_NOT_CANCELABLE, "action " + a.id + " is being canceled already; add force=true to close it without the device");
        }
        deployments.cancel(a.id, force, by);
    }

    private Action targetAction(String controllerId, long actionId) {
        Device d = devices.device(controllerId);
        return deployments.deviceAction(d.id, actionId)
                .orElseThrow(() -> DomainException.of(ErrorCode.NOT_FOUND, "target '" + controllerId + "' has no action " + actionId));
    }

    private MgmtApi.Action action(Action a, String controllerId) {
        String target = BASE + "/targets/" + controllerId;
        String self = target + "/actions/" + a.id;
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(self));
        links.put("target", new MgmtApi.Link(target, controllerId));
        links.put("distributionset", new MgmtApi.Link(BASE + "/distributionsets/" + a.version.id,
                a.model.name + ":" + a.version.version));
        links.put("status", MgmtApi.Link.to(self + "/status?offset=0&limit=50&sort=id%3ADESC"));
        String state = a.status.wireName();
        boolean cancel = state.equals("canceling") || state.equals("canceled");
        Integer lastCode = ActionStatusEntry.<ActionStatusEntry>find("actionId = ?1 and code is not null order by id desc", a.id)
                .firstResultOptional().map(s -> s.code).orElse(null);
        return new MgmtApi.Action(a.createdBy, millis(a.createdAt), a.createdBy, millis(a.updatedAt),
                cancel ? "cancel" : "update", a.active, a.active ? "pending" : "finished", state, a.type.wireName(), a.id,
                lastCode, links);
    }

    // ---- software modules and distribution sets -------------------------------------------

    @Transactional
    public List<MgmtApi.SoftwareModule> createModules(List<MgmtApi.SoftwareModuleRequest> body, String by) {
        if (body == null || body.isEmpty()) throw DomainException.of(ErrorCode.MISSING_BODY, "request body: a JSON array of software modules is required");
        List<MgmtApi.SoftwareModule> out = new ArrayList<>();
        for (MgmtApi.SoftwareModuleRequest r : body) {
            if (r == null || r.name() == null || r.name().isBlank()) throw DomainException.of(ErrorCode.BAD_REQUEST, "name: is required");
            if (r.version() == null || r.version().isBlank()) throw DomainException.of(ErrorCode.BAD_REQUEST, "version: is required");
            String type = r.type() == null || r.type().isBlank() ? "os" : r.type().strip().toLowerCase(Locale.ROOT);
            String name = modelName(r.name());
            if (Model.findByName(name).isEmpty()) {
                catalogue.create(new ModelApi.CreateModel(name, r.description(), null, null, Map.of(TYPE_LABEL, type)), by);
            }
            String version = semver(r.version());
            versions.create(name, new ModelApi.CreateVersion(version, r.description(), null, null, null, null), by);
            out.add(module(models.exact(models.model(name), version)));
        }
        return out;
    }

    @Transactional
    public MgmtApi.SoftwareModule getModule(long id) {
        return module(version(id, "software module"));
    }

    @Transactional
    public MgmtApi.PagedList<MgmtApi.SoftwareModule> listModules(Paging paging) {
        return MgmtApi.PagedList.of(versions(paging).stream().map(this::module).toList(), versionCount());
    }

    @Transactional
    public MgmtApi.PagedList<MgmtApi.DistributionSet> listSets(Paging paging) {
        return MgmtApi.PagedList.of(versions(paging).stream().map(this::set).toList(), versionCount());
    }

    /**
     * hawkBit deletes an unused module and only marks a used one deleted: a draft version is
     * deleted, a released one deprecated (it stays, as every released version does).
     */
    @Transactional
    public void deleteModule(long id) {
        ModelVersion v = version(id, "software module");
        if (v.status == VersionStatus.DRAFT) {
            versions.delete(v.model.name, v.version);
        } else if (v.status == VersionStatus.PUBLISHED) {
            versions.patch(v.model.name, v.version, json.createObjectNode().put("status", "deprecated"));
        }
    }

    /** A set of exactly one module is that module's version. */
    @Transactional
    public List<MgmtApi.DistributionSet> createSets(List<MgmtApi.DistributionSetRequest> body) {
        if (body == null || body.isEmpty()) throw DomainException.of(ErrorCode.MISSING_BODY, "request body: a JSON array of distribution sets is required");
        List<MgmtApi.DistributionSet> out = new ArrayList<>();
        for (MgmtApi.DistributionSetRequest r : body) {
            if (r == null || r.modules() == null || r.modules().size() != 1 || r.modules().get(0).id() == null) {
                throw DomainException.of(ErrorCode.BAD_REQUEST, "modules: a distribution set holds exactly one software module here ([{\"id\": …}])");
            }
            out.add(set(version(r.modules().get(0).id(), "software module")));
        }
        return out;
    }

    @Transactional
    public MgmtApi.DistributionSet getSet(long id) {
        return set(version(id, "distribution set"));
    }

    /** Deleting a set deprecates a released version; a draft's set goes with its module. */
    @Transactional
    public void deleteSet(long id) {
        ModelVersion v = version(id, "distribution set");
        if (v.status == VersionStatus.PUBLISHED) {
            versions.patch(v.model.name, v.version, json.createObjectNode().put("status", "deprecated"));
        }
    }

    /**
     * Assigns the set to targets, grouped by action type. A draft is published first: hawkBit
     * locks a set at its first assignment, Modelyard signs and freezes a version when it is published.
     */
    @Transactional
    public MgmtApi.AssignmentResult assign(long setId, List<MgmtApi.TargetAssignment> body, String by) {
        if (body == null || body.isEmpty()) throw DomainException.of(ErrorCode.MISSING_BODY, "request body: a JSON array of [{\"id\": controllerId}] is required");
        ModelVersion v = version(setId, "distribution set");
        if (v.status == VersionStatus.DRAFT) versions.publish(v.model.name, v.version);
        Map<String, List<String>> byType = new LinkedHashMap<>();
        for (MgmtApi.TargetAssignment t : body) {
            if (t == null || t.id() == null) throw DomainException.of(ErrorCode.BAD_REQUEST, "id: the target's controllerId is required");
            devices.device(t.id());
            String type = t.type() == null ? "forced" : t.type();
            if (type.equals("timeforced")) throw DomainException.of(ErrorCode.BAD_REQUEST, "type: timeforced is not supported; use forced, soft or downloadonly");
            byType.computeIfAbsent(type, k -> new ArrayList<>()).add(t.id());
        }
        int assigned = 0;
        int already = 0;
        int failed = 0;
        List<MgmtApi.ActionRef> refs = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byType.entrySet()) {
            DeploymentApi.Assignment a = deployments.assign(new DeploymentApi.Assign(v.model.name, v.version, null,
                    e.getValue(), null, e.getKey(), null), by);
            // A failed action never reaches the device: hawkBit clients must not count it as assigned.
            assigned += a.assigned();
            already += a.alreadyAssigned();
            failed += a.failed();
            for (DeploymentApi.ActionView view : a.actions()) {
                refs.add(new MgmtApi.ActionRef(view.id(), Map.of("self",
                        MgmtApi.Link.to(BASE + "/targets/" + view.device() + "/actions/" + view.id()))));
            }
        }
        return new MgmtApi.AssignmentResult(assigned, already, failed, assigned + already + failed, refs);
    }

    /** hawkBit locks a module once assigned; here a released version's files never change (LOCKED, as hawkBit's lock). */
    ModelVersion draftModule(long id) {
        ModelVersion v = version(id, "software module");
        if (v.status != VersionStatus.DRAFT) {
            throw DomainException.of(ErrorCode.LOCKED, "software module " + id + " is locked: its version " + v.model.name + " " + v.version
                    + " is " + v.status.wireName() + " and its files never change");
        }
        return v;
    }

    ModelVersion version(long id, String what) {
        ModelVersion v = ModelVersion.findById(id);
        if (v == null) {
            throw DomainException.of(ErrorCode.NOT_FOUND, what + " with id " + id + " does not exist");
        }
        return v;
    }

    private List<ModelVersion> versions(Paging paging) {
        return ModelVersion.<ModelVersion>find("order by id")
                .range(paging.offset(), paging.offset() + paging.limit() - 1).list();
    }

    private long versionCount() {
        return ModelVersion.count();
    }

    MgmtApi.SoftwareModule module(ModelVersion v) {
        String self = BASE + "/softwaremodules/" + v.id;
        String type = v.model.labels.getOrDefault(TYPE_LABEL, "os");
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(self));
        links.put("artifacts", MgmtApi.Link.to(self + "/artifacts"));
        long files = dev.modelyard.server.artifact.Artifact.count("version", v);
        return new MgmtApi.SoftwareModule(v.createdBy, millis(v.createdAt), v.createdBy, millis(v.updatedAt), v.model.name,
                v.model.description, v.id, v.version, type, typeName(type), null, false, v.status != VersionStatus.DRAFT,
                v.status == VersionStatus.DEPRECATED || v.status == VersionStatus.REVOKED, files > 0, links);
    }

    MgmtApi.DistributionSet set(ModelVersion v) {
        MgmtApi.SoftwareModule m = module(v);
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(BASE + "/distributionsets/" + v.id));
        links.put("modules", MgmtApi.Link.to(BASE + "/distributionsets/" + v.id + "/assignedSM"));
        return new MgmtApi.DistributionSet(m.createdBy(), m.createdAt(), m.lastModifiedBy(), m.lastModifiedAt(), m.name(),
                m.description(), v.id, v.version, List.of(m), false, m.type(), m.typeName(), m.complete(), m.locked(),
                m.deleted(), v.status != VersionStatus.REVOKED, links);
    }

    private static String typeName(String type) {
        return switch (type) {
            case "os" -> "OS";
            case "application" -> "Application";
            case "runtime" -> "Runtime";
            default -> type;
        };
    }

    /** hawkBit names are free text; a model name is a lower-case slug of it. */
    static String modelName(String name) {
        String slug = NOT_NAME.matcher(name.strip().toLowerCase(Locale.ROOT)).replaceAll("-");
        slug = slug.replaceAll("^[._-]+", "");
        if (slug.length() > 63) slug = slug.substring(0, 63);
        if (slug.isEmpty()) throw DomainException.of(ErrorCode.BAD_REQUEST, "name: '" + name + "' has no letter or digit");
        return slug;
    }

    /** hawkBit versions are free text; "1" and "1.2" become 1.0.0 and 1.2.0, other non-semver text is refused. */
    static String semver(String version) {
        String v = version.strip();
        if (SemVer.isValid(v)) return v;
        if (SHORT_VERSION.matcher(v).matches()) {
            String padded = v + (v.contains(".") ? ".0" : ".0.0");
            if (SemVer.isValid(padded)) return padded;
        }
        throw DomainException.of(ErrorCode.BAD_REQUEST, "version: '" + version + "' is not a semantic version (such as 1.2.0; 1 and 1.2 are accepted too)");
    }

    static Long millis(Instant t) {
        return t == null ? null : t.toEpochMilli();
    }

    static Instant instant(Object o) {
        if (o instanceof Instant i) return i;
        if (o instanceof java.sql.Timestamp t) return t.toInstant();
        if (o instanceof java.time.OffsetDateTime t) return t.toInstant();
        throw new IllegalStateException("unexpected time value " + o);
    }
}
