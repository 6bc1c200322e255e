package dev.modelyard.server.hawkbit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.deployment.DeploymentApi;
import dev.modelyard.server.deployment.DeploymentService;
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
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * hawkBit's software modules and distribution sets, mapped onto model versions: a software module
 * is a model version (its number is the version's id), the model named after the module; a
 * distribution set is the same version with that one module (the same number). Assigning a set
 * assigns the version.
 */
@ApplicationScoped
public class MgmtModules {

    static final String TYPE_LABEL = "hawkbit.type";
    private static final Pattern SHORT_VERSION = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern NOT_NAME = Pattern.compile("[^a-z0-9._-]+");

    private final DeviceService devices;
    private final ModelLookup models;
    private final ModelCatalogue catalogue;
    private final VersionLifecycle versions;
    private final DeploymentService deployments;
    private final ObjectMapper json;

    public MgmtModules(DeviceService devices, ModelLookup models, ModelCatalogue catalogue, VersionLifecycle versions,
                       DeploymentService deployments, ObjectMapper json) {
        this.devices = devices;
        this.models = models;
        this.catalogue = catalogue;
        this.versions = versions;
        this.deployments = deployments;
        this.json = json;
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
        // One deployment per action type and maintenance window: each applies to all its targets.
        record Group(String type, DeploymentApi.Window window) {
        }
        Map<Group, List<String>> groups = new LinkedHashMap<>();
        for (MgmtApi.TargetAssignment t : body) {
            if (t == null || t.id() == null) throw DomainException.of(ErrorCode.BAD_REQUEST, "id: the target's controllerId is required");
            devices.device(t.id());
            String type = t.type() == null ? "forced" : t.type();
            if (type.equals("timeforced")) throw DomainException.of(ErrorCode.BAD_REQUEST, "type: timeforced is not supported; use forced, soft or downloadonly");
            DeploymentApi.Window window = MgmtMaintenanceWindows.toWindow(t.maintenanceWindow(), "maintenanceWindow");
            groups.computeIfAbsent(new Group(type, window), k -> new ArrayList<>()).add(t.id());
        }
        int assigned = 0;
        int already = 0;
        int failed = 0;
        List<MgmtApi.ActionRef> refs = new ArrayList<>();
        for (Map.Entry<Group, List<String>> e : groups.entrySet()) {
            DeploymentApi.Assignment a = deployments.assign(new DeploymentApi.Assign(v.model.name, v.version, null,
                    e.getValue(), null, e.getKey().type(), null, null, e.getKey().window()), by);
            // A failed action never reaches the device: hawkBit clients must not count it as assigned.
            assigned += a.assigned();
            already += a.alreadyAssigned();
            failed += a.failed();
            for (DeploymentApi.ActionView view : a.actions()) {
                refs.add(new MgmtApi.ActionRef(view.id(), Map.of("self",
                        MgmtApi.Link.to(MgmtApi.BASE + "/targets/" + view.device() + "/actions/" + view.id()))));
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
        String self = MgmtApi.BASE + "/softwaremodules/" + v.id;
        String type = v.model.labels.getOrDefault(TYPE_LABEL, "os");
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(self));
        links.put("artifacts", MgmtApi.Link.to(self + "/artifacts"));
        long files = dev.modelyard.server.artifact.Artifact.count("version", v);
        return new MgmtApi.SoftwareModule(v.createdBy, MgmtApi.millis(v.createdAt), v.createdBy, MgmtApi.millis(v.updatedAt), v.model.name,
                v.model.description, v.id, v.version, type, typeName(type), null, false, v.status != VersionStatus.DRAFT,
                v.status == VersionStatus.DEPRECATED || v.status == VersionStatus.REVOKED, files > 0, links);
    }

    MgmtApi.DistributionSet set(ModelVersion v) {
        MgmtApi.SoftwareModule m = module(v);
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(MgmtApi.BASE + "/distributionsets/" + v.id));
        links.put("modules", MgmtApi.Link.to(MgmtApi.BASE + "/distributionsets/" + v.id + "/assignedSM"));
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
}
