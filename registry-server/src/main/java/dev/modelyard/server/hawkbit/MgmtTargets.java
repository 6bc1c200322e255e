package dev.modelyard.server.hawkbit;

import dev.modelyard.server.deployment.Action;
import dev.modelyard.server.deployment.ActionStatusEntry;
import dev.modelyard.server.deployment.DeploymentService;
import dev.modelyard.server.device.Device;
import dev.modelyard.server.device.DeviceApi;
import dev.modelyard.server.device.DeviceService;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.ModelVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * hawkBit's targets and their actions, mapped onto Modelyard's devices and actions. A target's
 * distribution sets are model versions, shown by {@link MgmtModules}.
 */
@ApplicationScoped
public class MgmtTargets {

    private final EntityManager em;
    private final DeviceService devices;
    private final DeploymentService deployments;
    private final MgmtModules modules;
    private final HawkbitConfig config;

    public MgmtTargets(EntityManager em, DeviceService devices, DeploymentService deployments, MgmtModules modules,
                       HawkbitConfig config) {
        this.em = em;
        this.devices = devices;
        this.deployments = deployments;
        this.modules = modules;
        this.config = config;
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
        return Action.<Action>find("deviceId = ?1 order by id desc", d.id).firstResultOptional().map(a -> modules.set(a.version));
    }

    /** The set of the target's most recently installed version, if any. */
    @Transactional
    public Optional<MgmtApi.DistributionSet> installedSet(String controllerId) {
        Device d = devices.device(controllerId);
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery(
                        "SELECT version_id FROM installed_model WHERE device_id = ?1 ORDER BY installed_at DESC, action_id DESC LIMIT 1")
                .setParameter(1, d.id).getResultList();
        return ids.isEmpty() ? Optional.empty() : Optional.of(modules.set(ModelVersion.findById(ids.get(0).longValue())));
    }

    private MgmtApi.Target target(Device d, boolean showToken) {
        // Tokens stored readable while the setting was on stay hidden once it is off.
        return target(d, showToken && config.readableTargetTokens() ? d.tokenSecret : null);
    }

    private MgmtApi.Target target(Device d, String securityToken) {
        String self = MgmtApi.BASE + "/targets/" + d.controllerId;
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(self));
        links.put("assignedDS", MgmtApi.Link.to(self + "/assignedDS"));
        links.put("installedDS", MgmtApi.Link.to(self + "/installedDS"));
        links.put("attributes", MgmtApi.Link.to(self + "/attributes"));
        links.put("actions", MgmtApi.Link.to(self + "/actions?offset=0&limit=50&sort=id%3ADESC"));
        Instant seen = d.id == null ? null : lastSeen(d.id);
        Instant installed = d.id == null ? null : installedAt(d.id);
        return new MgmtApi.Target(d.createdBy, MgmtApi.millis(d.createdAt), d.createdBy, MgmtApi.millis(d.updatedAt),
                d.name == null ? d.controllerId : d.name, d.description, d.controllerId, d.status.wireName(),
                MgmtApi.millis(seen), MgmtApi.millis(installed), seen == null ? null : new MgmtApi.PollStatus(MgmtApi.millis(seen), null, false),
                securityToken, d.attributesRequested, links);
    }

    private Instant lastSeen(long deviceId) {
        Object t = em.createNativeQuery("SELECT last_seen_at FROM device WHERE id = ?1").setParameter(1, deviceId).getSingleResult();
        return t == null ? null : MgmtApi.instant(t);
    }

    private Instant installedAt(long deviceId) {
        Object t = em.createNativeQuery("SELECT max(installed_at) FROM installed_model WHERE device_id = ?1")
                .setParameter(1, deviceId).getSingleResult();
        return t == null ? null : MgmtApi.instant(t);
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
        String target = MgmtApi.BASE + "/targets/" + controllerId;
        String self = target + "/actions/" + a.id;
        Map<String, MgmtApi.Link> links = new LinkedHashMap<>();
        links.put("self", MgmtApi.Link.to(self));
        links.put("target", new MgmtApi.Link(target, controllerId));
        links.put("distributionset", new MgmtApi.Link(MgmtApi.BASE + "/distributionsets/" + a.version.id,
                a.model.name + ":" + a.version.version));
        links.put("status", MgmtApi.Link.to(self + "/status?offset=0&limit=50&sort=id%3ADESC"));
        String state = a.status.wireName();
        boolean cancel = state.equals("canceling") || state.equals("canceled");
        Integer lastCode = ActionStatusEntry.<ActionStatusEntry>find("actionId = ?1 and code is not null order by id desc", a.id)
                .firstResultOptional().map(s -> s.code).orElse(null);
        return new MgmtApi.Action(a.createdBy, MgmtApi.millis(a.createdAt), a.createdBy, MgmtApi.millis(a.updatedAt),
                cancel ? "cancel" : "update", a.active, a.active ? "pending" : "finished", state, a.type.wireName(), a.id,
                lastCode, links);
    }
}
