package dev.modelyard.server.deployment;

import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.auth.Permission;
import dev.modelyard.server.device.Device;
import dev.modelyard.server.device.DeviceChangeFeed;
import dev.modelyard.server.device.DeviceState;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.health.HealthReports;
import dev.modelyard.server.http.Page;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.model.Model;
import dev.modelyard.server.model.ModelLookup;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.signing.RollbackAuthorizations;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.ddi.Feedback;
import dev.modelyard.wire.ddi.ServingHealth;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Assigns model versions to devices, keeps each action's status and history, and applies what
 * devices report. Every change that alters a device's poll answer bumps its state version in the
 * same transaction.
 */
@ApplicationScoped
public class DeploymentService {

    /** An answer lists at most this many actions; the counts cover all of them. */
    static final int MAX_VIEWS = 100;
    /** One request, one transaction: beyond this, a rollout's groups are the way. */
    static final int MAX_DEVICES = 100_000;
    static final int MAX_MESSAGES = 50;
    static final int MAX_MESSAGE_LENGTH = 2000;

    private final EntityManager em;
    private final Clock clock;
    private final ModelLookup models;
    private final DeviceState state;
    private final Assigner assigner;
    private final DeviceChangeFeed feed;
    private final jakarta.enterprise.event.Event<Assigned> assignedEvent;
    private final jakarta.enterprise.event.Event<ActionsAssigned> actionsAssigned;
    private final HealthReports health;
    private final RollbackAuthorizations rollbackAuthorizations;
    private final LiveEvents live;

    public DeploymentService(EntityManager em, Clock clock, ModelLookup models, DeviceState state, Assigner assigner,
                             DeviceChangeFeed feed, jakarta.enterprise.event.Event<Assigned> assignedEvent,
                             HealthReports health, RollbackAuthorizations rollbackAuthorizations,
                             jakarta.enterprise.event.Event<ActionsAssigned> actionsAssigned, LiveEvents live) {
        this.live = live;
        this.rollbackAuthorizations = rollbackAuthorizations;
        this.em = em;
        this.health = health;
        this.clock = clock;
        this.models = models;
        this.state = state;
        this.assigner = assigner;
        this.feed = feed;
        this.assignedEvent = assignedEvent;
        this.actionsAssigned = actionsAssigned;
    }

    // ---- management ----------------------------------------------------------------------

    /** An assignment by a caller that may not roll back ({@code rollback: true} is refused). */
    @Transactional
    public DeploymentApi.Assignment assign(DeploymentApi.Assign r, String by) {
        return assign(r, by, false);
    }

    /**
     * Assigns as the request says. {@code mayRollback}: the caller holds {@code rollouts:rollback},
     * which {@code "rollback": true} needs besides {@code deployments:create}: it lets devices
     * install a release older than the one they run.
     */
    @Transactional
    public DeploymentApi.Assignment assign(DeploymentApi.Assign r, String by, boolean mayRollback) {
        if (r == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: {\"model\":…, \"version\":…, \"devices\":[…]}");
        if (r.model() == null || r.model().isBlank()) throw DomainException.field(ErrorCode.MISSING_FIELD, "model", "model: is required");
        if (r.version() == null || r.version().isBlank()) throw DomainException.field(ErrorCode.MISSING_FIELD, "version", "version: is required (a version, an alias or latest)");
        ActionType type;
        try {
            type = ActionType.parse(r.type());
        } catch (IllegalArgumentException e) {
            throw DomainException.of(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        int selectors = (r.device() != null ? 1 : 0) + (r.devices() != null ? 1 : 0) + (r.tag() != null ? 1 : 0);
        if (selectors != 1) throw DomainException.of(ErrorCode.BAD_REQUEST, "give exactly one of device, devices or tag");
        boolean rollback = Boolean.TRUE.equals(r.rollback());
        if (rollback && !mayRollback) {
            throw DomainException.field(ErrorCode.FORBIDDEN, "rollback", "rollback: needs the permission "
                    + Permission.ROLLOUTS_ROLLBACK + " besides " + Permission.DEPLOYMENTS_CREATE);
        }
        MaintenanceWindow window = r.maintenanceWindow() == null ? null : r.maintenanceWindow().toWindow("maintenanceWindow");
        if (window != null && type == ActionType.DOWNLOAD_ONLY) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "maintenanceWindow", "maintenanceWindow: a window holds "
                    + "the install step, and a downloadonly action installs nothing; leave one of them out");
        }
        Model m = models.model(r.model());
        ModelVersion v = models.resolve(m, r.version());
        // Holds off a concurrent revocation until this assignment commits (its trigger then
        // cancels what we create), and makes us see one that committed first.
        em.refresh(v, jakarta.persistence.LockModeType.PESSIMISTIC_READ);
        if (!v.status.isDeployable()) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "version " + v.version + " of '" + m.name + "' is " + v.status.wireName()
                    + "; only published or deprecated versions can be deployed");
        }
        List<Assigner.Target> targets = targets(r);
        // With "rollback": true every device gets the authorization: it lets a device that runs a
        // newer release install this one, and changes nothing for the others.
        Map<Long, String> rollbacks = rollback ? Map.of() : rollbacks(m, v, targets);
        if (!rollbacks.isEmpty() && namesOneDevice(r)) {
            throw DomainException.of(ErrorCode.RELEASE_COUNTER_ROLLBACK, rollbacks.values().iterator().next()
                    + ". Assign it with \"rollback\": true (needs " + Permission.ROLLOUTS_ROLLBACK
                    + ") to send a signed rollback authorization, or publish the older model again as a new version");
        }
        ActionOptions options = new ActionOptions(null, window, rollback ? rollbackAuthorizations.authorize(m, v) : null);
        boolean low = Boolean.TRUE.equals(r.lowPrecision());
        List<Assigner.Outcome> outcomes = assigner.assign(
                new Assigner.Request(m, v, r.version(), type, low, by, candidates(v), rollbacks, options), targets);
        int assigned = 0;
        int already = 0;
        int failed = 0;
        List<DeploymentApi.ActionView> views = new ArrayList<>();
        for (Assigner.Outcome o : outcomes) {
            if (!o.created()) already++;
            else if (o.failed()) failed++;
            else assigned++;
            if (o.created()) live.action(o.actionId(), o.controllerId(), m.name, v.version, (o.failed() ? ActionState.ERROR : ActionState.RUNNING).wireName());
            if (views.size() < MAX_VIEWS) views.add(view(action(o.actionId()), o.controllerId()));
        }
        assignedEvent.fire(new Assigned(assigned, failed, already));
        fireDelivering(m, outcomes);
        return new DeploymentApi.Assignment(assigned, already, failed, views);
    }

    /** What a rollout assigns to a batch of its devices. {@code version}: a version number, an alias or latest. */
    public record FleetAssignment(String model, String version, ActionType type, boolean lowPrecision, String by,
                                  ActionOptions options) {
    }

    /** The outcome for one device of a {@link FleetAssignment}. */
    public record DeviceOutcome(long deviceId, long actionId, boolean created, boolean failed) {
    }

    /**
     * Assigns to the given devices of the current tenant (unknown ids are left out) in the
     * caller's transaction, as {@link #assign} does for a list of devices: the same open
     * assignment is kept, older open ones are superseded, devices no artifact fits get a failed
     * action. Without a rollback authorization in the options, a device running a newer release
     * (with Modelyard's updater) gets a failed action saying so; with one, the devices are given
     * the older release with the authorization that lets them install it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<DeviceOutcome> assignToDevices(FleetAssignment a, List<Long> deviceIds) {
        Model m = models.model(a.model());
        ModelVersion v = models.resolve(m, a.version());
        em.refresh(v, jakarta.persistence.LockModeType.PESSIMISTIC_READ);
        if (!v.status.isDeployable()) {
            throw DomainException.of(ErrorCode.VERSION_NOT_DEPLOYABLE, "version " + v.version + " of '" + m.name + "' is "
                    + v.status.wireName() + "; only published or deprecated versions can be deployed");
        }
        List<Assigner.Target> targets = assigner.byIds(deviceIds);
        Map<Long, String> refused = a.options().rollbackAuthorization() != null ? Map.of() : rollbacks(m, v, targets);
        List<Assigner.Outcome> outcomes = assigner.assign(new Assigner.Request(m, v, a.version(), a.type(), a.lowPrecision(),
                a.by(), candidates(v), refused, a.options()), targets);
        List<DeviceOutcome> out = new ArrayList<>(outcomes.size());
        int assigned = 0, failed = 0, already = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            Assigner.Outcome o = outcomes.get(i);
            out.add(new DeviceOutcome(targets.get(i).id(), o.actionId(), o.created(), o.failed()));
            if (o.created()) live.action(o.actionId(), targets.get(i).controllerId(), m.name, v.version,
                    (o.failed() ? ActionState.ERROR : ActionState.RUNNING).wireName());
            if (!o.created()) already++;
            else if (o.failed()) failed++;
            else assigned++;
        }
        assignedEvent.fire(new Assigned(assigned, failed, already));
        fireDelivering(m, outcomes);
        return out;
    }

    /** Tells observers (deltas) of the new actions that deliver an artifact, in this transaction. */
    private void fireDelivering(Model m, List<Assigner.Outcome> outcomes) {
        List<Long> delivering = outcomes.stream().filter(o -> o.created() && !o.failed()).map(Assigner.Outcome::actionId).toList();
        if (!delivering.isEmpty()) actionsAssigned.fire(new ActionsAssigned(m.tenant, delivering));
    }

    private static List<ArtifactChooser.Candidate> candidates(ModelVersion v) {
        return Artifact.<Artifact>list("version", v).stream()
                .map(a -> new ArtifactChooser.Candidate(a.id, a.filename, a.size, a.target(), a.optimized)).toList();
    }

    /**
     * The devices that would refuse this version a second after receiving it, each with the
     * reason: those whose updater is Modelyard's and that run a higher release counter of the
     * model. That updater accepts a lower counter only with a rollback authorization, which a
     * deployment carries only with {@code "rollback": true}; without it such an action could only fail. An assignment that names one
     * device is refused for it ({@code RELEASE_COUNTER_ROLLBACK}); one for several devices
     * records them as failed, as hawkBit records a per-device problem, and delivers to the rest.
     * Devices that did not announce the updater (stock hawkBit clients) check no counters and may
     * be given an older version, as hawkBit allows.
     */
    private Map<Long, String> rollbacks(Model m, ModelVersion v, List<Assigner.Target> targets) {
        if (v.releaseCounter == null) return Map.of();
        List<Assigner.Target> checking = targets.stream()
                .filter(t -> DeviceAttributes.modelyardUpdater(t.attributes())).toList();
        Map<Long, String> reasons = new LinkedHashMap<>();
        for (Assigner.Newer n : assigner.newerInstalled(checking, m.id, v.releaseCounter)) {
            reasons.put(n.deviceId(), n.controllerId() + " runs " + n.version() + " (release " + n.releaseCounter()
                    + ") and its updater refuses " + m.name + " " + v.version + " (release " + v.releaseCounter
                    + "): a lower release counter needs a rollback authorization (\"rollback\": true)");
        }
        return reasons;
    }

    /** Whether the assignment names a single device (not a tag), whose failure is the whole request's. */
    private static boolean namesOneDevice(DeploymentApi.Assign r) {
        return r.device() != null || (r.devices() != null && r.devices().stream().distinct().count() == 1);
    }

    private List<Assigner.Target> targets(DeploymentApi.Assign r) {
        List<Assigner.Target> out;
        if (r.tag() != null) {
            out = assigner.byTag(r.tag());
            if (out.isEmpty()) throw DomainException.of(ErrorCode.UNPROCESSABLE, "tag: no device has the tag '" + r.tag() + "'");
        } else {
            List<String> ids = r.device() != null ? List.of(r.device()) : r.devices().stream().distinct().toList();
            if (ids.isEmpty()) throw DomainException.field(ErrorCode.INVALID_FIELD, "devices", "devices: must name at least one device");
            if (ids.size() > MAX_DEVICES) {
                throw DomainException.of(ErrorCode.UNPROCESSABLE, "at most " + MAX_DEVICES + " devices per deployment; use a rollout for more");
            }
            out = assigner.byControllerIds(ids);
        }
        if (out.size() > MAX_DEVICES) {
            throw DomainException.of(ErrorCode.UNPROCESSABLE, "at most " + MAX_DEVICES + " devices per deployment; use a rollout for more");
        }
        return out;
    }

    @Transactional
    public DeploymentApi.ActionView cancel(long actionId, boolean force, String by) {
        Action a = action(actionId);
        lock(a.deviceId);
        em.refresh(a);
        if (!a.active) {
            throw DomainException.of(ErrorCode.ALREADY_FINISHED, "action " + a.id + " is already " + a.status.wireName());
        }
        if (force) {
            a.status = ActionState.CANCELED;
            a.active = false;
            a.reason = "canceled by '" + by + "' without waiting for the device";
            a.updatedAt = clock.instant();
            history(a, "canceled", null, List.of("Canceled by '" + by + "' without waiting for the device"), null);
        } else {
            if (a.status == ActionState.CANCELING) {
                throw DomainException.of(ErrorCode.CONFLICT, "action " + a.id + " is being canceled already; add ?force=true to close it without the device");
            }
            a.status = ActionState.CANCELING;
            a.reason = "canceled by '" + by + "'";
            a.updatedAt = clock.instant();
            history(a, "canceling", null, List.of("Cancel requested by '" + by + "'; the device is asked to cancel"), null);
        }
        refreshDevice(a.deviceId);
        String device = controllerId(a.deviceId);
        live.action(a.id, device, a.model.name, a.version.version, a.status.wireName());
        live.device(device);
        return view(a, device);
    }

    @Transactional
    public Page<DeploymentApi.ActionView> list(String device, String model, String status, Boolean active,
                                               io.quarkus.panache.common.Page page) {
        StringBuilder q = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (device != null) {
            Device d = Device.findByController(device).orElseThrow(() -> DomainException.of(ErrorCode.DEVICE_NOT_FOUND, "no device with controller id '" + device + "'"));
            q.append(" and deviceId = :device");
            params.put("device", d.id);
        }
        if (model != null) {
            q.append(" and model = :model");
            params.put("model", models.model(model));
        }
        if (status != null) {
            try {
                params.put("status", ActionState.parse(status));
            } catch (IllegalArgumentException e) {
                throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "status", e.getMessage(),
                        java.util.Arrays.stream(ActionState.values()).map(ActionState::wireName).toList());
            }
            q.append(" and status = :status");
        }
        if (active != null) {
            q.append(" and active = :active");
            params.put("active", active);
        }
        var query = Action.<Action>find(q + " order by id desc", params).page(page);
        List<DeploymentApi.ActionView> items = query.list().stream().map(a -> view(a, controllerId(a.deviceId))).toList();
        return new Page<>(items, page.index, page.size, query.count());
    }

    /** One action, with the newest serving health its device reported for each model. */
    @Transactional
    public DeploymentApi.ActionView get(long id) {
        Action a = action(id);
        return view(a, controllerId(a.deviceId)).withHealth(health.latest(a.id));
    }

    @Transactional
    public List<DeploymentApi.StatusView> history(long actionId) {
        action(actionId);
        return ActionStatusEntry.<ActionStatusEntry>list("actionId = ?1 order by id desc", actionId).stream()
                .map(s -> new DeploymentApi.StatusView(s.id, s.type, s.code, s.messages, s.occurredAt, s.reportedAt))
                .toList();
    }

    /**
     * The revocation trigger changed the poll answers of the devices that run or receive the
     * version: this replica's caches drop them at commit (others hear it from the database).
     */
    void onRevoked(@jakarta.enterprise.event.Observes dev.modelyard.server.model.VersionRevoked e) {
        @SuppressWarnings("unchecked")
        List<Number> devices = em.createNativeQuery("""
                        SELECT device_id FROM action WHERE version_id = ?1 AND active
                        UNION SELECT device_id FROM installed_model WHERE version_id = ?1""")
                .setParameter(1, e.versionId()).getResultList();
        devices.forEach(id -> feed.changedInThisTransaction(id.longValue()));
    }

    // ---- device side (DDI) ------------------------------------------------------------------

    /** The device's action, or empty when there is none with that id (another device's included). */
    public Optional<Action> deviceAction(long deviceId, long actionId) {
        return Action.<Action>find("id = ?1 and deviceId = ?2", actionId, deviceId).firstResultOptional();
    }

    /** Records that the device fetched the deployment, once. */
    @Transactional
    public void retrieved(long actionId) {
        Action a = Action.findById(actionId);
        if (a != null && a.status == ActionState.RUNNING) {
            a.status = ActionState.RETRIEVED;
            a.updatedAt = clock.instant();
            // The poll answer does not depend on this status: no state bump.
            history(a, "retrieved", null, List.of("Device retrieved the action and should start the download"), null);
            live.action(a.id, controllerId(a.deviceId), a.model.name, a.version.version, a.status.wireName());
        }
    }

    /**
     * What a device said about an action, decoded from a DDI feedback body.
     *
     * @param health    the serving health of the action's model, when the device sent it (Modelyard's updater); empty otherwise
     * @param transfers how the device got the payload (Modelyard's updater), as sent (entries may be null or
     *                  impossible: {@link #deploymentFeedback} checks them against the action); empty when it sent none
     */
    public record Report(Feedback.Execution execution, Feedback.Finished finished, Integer code, List<String> details,
                         Instant occurredAt, List<ServingHealth> health, List<Feedback.Transfer> transfers) {

        public Report {
            health = health == null ? List.of() : List.copyOf(health);
            // Not List.copyOf: a null entry is the device's error, judged with the action (a closing feedback drops it).
            transfers = transfers == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(transfers));
        }

        /** A report without transfer figures. */
        public Report(Feedback.Execution execution, Feedback.Finished finished, Integer code, List<String> details,
                      Instant occurredAt, List<ServingHealth> health) {
            this(execution, finished, code, details, occurredAt, health, List.of());
        }

        /** A report without serving health, as stock hawkBit clients send. */
        public Report(Feedback.Execution execution, Feedback.Finished finished, Integer code, List<String> details,
                      Instant occurredAt) {
            this(execution, finished, code, details, occurredAt, List.of(), List.of());
        }
    }

    /**
     * Applies deployment feedback from the device {@code controllerId} (the caller names it: no lookup on this
     * hot path) and stores the serving health and transfer figures it carries,
     * in one transaction. Not found: not this device's action; ACTION_CLOSED: the action is
     * closed; INVALID_FIELD: the health figures cannot be, or the transfer figures of feedback
     * that leaves the action open cannot be (nothing is recorded then). Impossible transfer
     * figures on feedback that closes the action are dropped and the close is applied.
     */
    @Transactional
    public void deploymentFeedback(long deviceId, String controllerId, long actionId, Report r) {
        Action a = openAction(deviceId, actionId);
        Optional<Feedback.Transfer> transfer = Transfers.forPayload(a.id,
                a.artifactId == null ? null : Artifact.<Artifact>findById(a.artifactId), r.transfers(), closes(a, r));
        health.record(a.id, deviceId, a.model.name, a.version.version, r.health(), clock.instant());
        List<String> messages = messages(r);
        // The per-device figure goes into the history with the report that changed it (a device that sends the
        // same report again, say because the first answer was lost, adds no second line).
        if (transfer.isPresent() && Transfers.store(a, transfer.get())) messages.add(Transfers.historyLine(transfer.get()));
        switch (r.execution()) {
            case CLOSED -> {
                if (r.finished() == Feedback.Finished.FAILURE) {
                    close(a, controllerId, ActionState.ERROR, "error", r, messages);
                    a.reason = messages.isEmpty() ? "the device reported a failure" : messages.get(0);
                } else {
                    close(a, controllerId, ActionState.FINISHED, "finished", r, messages);
                    em.createNativeQuery("""
                                    INSERT INTO installed_model (device_id, model_id, version_id, action_id, installed_at)
                                    VALUES (?1, ?2, ?3, ?4, ?5)
                                    ON CONFLICT (device_id, model_id) DO UPDATE SET version_id = excluded.version_id,
                                        action_id = excluded.action_id, installed_at = excluded.installed_at""")
                            .setParameter(1, a.deviceId).setParameter(2, a.model.id).setParameter(3, a.version.id)
                            .setParameter(4, a.id).setParameter(5, clock.instant()).executeUpdate();
                }
            }
            case CANCELED -> close(a, controllerId, ActionState.CANCELED, "canceled", r, messages);
            case DOWNLOADED -> {
                if (a.type == ActionType.DOWNLOAD_ONLY) {
                    close(a, controllerId, ActionState.DOWNLOADED, "downloaded", r, messages);
                } else {
                    move(a, controllerId, a.status == ActionState.CANCELING ? a.status : ActionState.DOWNLOADED, "downloaded", r, messages);
                }
            }
            case SCHEDULED -> move(a, controllerId, a.status == ActionState.CANCELING ? a.status : ActionState.SCHEDULED, "scheduled", r, messages);
            case REJECTED -> move(a, controllerId, a.status, "warning", r, withFirst("Device rejected the update", messages));
            case DOWNLOAD -> move(a, controllerId, a.status, "download", r, messages);
            case PROCEEDING, RESUMED -> move(a, controllerId, a.status == ActionState.SCHEDULED ? ActionState.RUNNING : a.status,
                    "running", r, messages);
        }
    }

    /** Whether the feedback ends the action (see the switch of {@link #deploymentFeedback}). */
    private static boolean closes(Action a, Report r) {
        return switch (r.execution()) {
            case CLOSED, CANCELED -> true;
            case DOWNLOADED -> a.type == ActionType.DOWNLOAD_ONLY;
            default -> false;
        };
    }

    /** Applies feedback on a cancellation. Not found: nothing to cancel; ACTION_CLOSED: the action is closed. */
    @Transactional
    public void cancelFeedback(long deviceId, String controllerId, long actionId, Report r) {
        Action a = openAction(deviceId, actionId);
        if (a.status != ActionState.CANCELING) {
            throw DomainException.of(ErrorCode.NOT_FOUND, "action " + actionId + " is not being canceled");
        }
        List<String> messages = messages(r);
        boolean accepted = (r.execution() == Feedback.Execution.CLOSED && r.finished() != Feedback.Finished.FAILURE)
                || r.execution() == Feedback.Execution.CANCELED;
        boolean refused = r.execution() == Feedback.Execution.REJECTED
                || (r.execution() == Feedback.Execution.CLOSED && r.finished() == Feedback.Finished.FAILURE);
        if (accepted) {
            close(a, controllerId, ActionState.CANCELED, "canceled", r, messages);
        } else if (refused) {
            a.reason = null;
            move(a, controllerId, ActionState.RUNNING, "cancel_rejected", r, withFirst("Device refused to cancel", messages));
        } else {
            move(a, controllerId, a.status, r.execution() == Feedback.Execution.DOWNLOAD ? "download" : "canceling", r, messages);
        }
    }

    private Action openAction(long deviceId, long actionId) {
        Action a = deviceAction(deviceId, actionId)
                .orElseThrow(() -> DomainException.of(ErrorCode.ACTION_NOT_FOUND, "no action " + actionId + " for this device"));
        lock(deviceId);
        em.refresh(a);
        if (!a.active) throw DomainException.of(ErrorCode.ACTION_CLOSED, "action " + actionId + " is closed (" + a.status.wireName() + ")");
        return a;
    }

    private void close(Action a, String controllerId, ActionState to, String entry, Report r, List<String> messages) {
        a.status = to;
        a.active = false;
        a.updatedAt = clock.instant();
        history(a, entry, r.code(), messages, r.occurredAt());
        refreshDevice(a.deviceId);
        live.action(a.id, controllerId, a.model.name, a.version.version, a.status.wireName());
        live.device(controllerId);
    }

    private void move(Action a, String controllerId, ActionState to, String entry, Report r, List<String> messages) {
        boolean changed = to != a.status;
        a.status = to;
        a.updatedAt = clock.instant();
        history(a, entry, r.code(), messages, r.occurredAt());
        if (changed) state.bump(a.deviceId);
        live.action(a.id, controllerId, a.model.name, a.version.version, a.status.wireName());
    }

    private static List<String> withFirst(String first, List<String> rest) {
        List<String> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }

    private static List<String> messages(Report r) {
        List<String> out = new ArrayList<>();
        if (r.details() != null) {
            for (String s : r.details()) {
                if (s == null) continue;
                out.add(s.length() > MAX_MESSAGE_LENGTH ? s.substring(0, MAX_MESSAGE_LENGTH) : s);
                if (out.size() == MAX_MESSAGES) break;
            }
        }
        if (r.code() != null) out.add("Device reported status code: " + r.code());
        return out;
    }

    // ---- shared ------------------------------------------------------------------------------

    void history(Action a, String type, Integer code, List<String> messages, Instant occurredAt) {
        ActionStatusEntry e = new ActionStatusEntry();
        e.actionId = a.id;
        e.type = type;
        e.code = code;
        e.messages = List.copyOf(messages);
        e.reportedAt = clock.instant();
        e.occurredAt = occurredAt == null ? e.reportedAt : occurredAt;
        e.persist();
    }

    /** Newest first, every message of the action's history; at most {@code limit} when positive. */
    public List<String> messages(long actionId, int limit) {
        List<String> out = new ArrayList<>();
        for (ActionStatusEntry e : ActionStatusEntry.<ActionStatusEntry>list("actionId = ?1 order by id desc", actionId)) {
            for (String m : e.messages) {
                if (limit > 0 && out.size() >= limit) return out;
                out.add(m);
            }
        }
        return out;
    }

    /** The newest history entry's type, upper case, as hawkBit reports an action's status. */
    public String lastStatus(long actionId) {
        return ActionStatusEntry.<ActionStatusEntry>find("actionId = ?1 order by id desc", actionId).firstResultOptional()
                .map(e -> e.type.toUpperCase(java.util.Locale.ROOT)).orElse("RUNNING");
    }

    private void lock(long deviceId) {
        em.createNativeQuery("SELECT id FROM device WHERE id = ?1 FOR UPDATE").setParameter(1, deviceId).getResultList();
    }

    /** Derives each listed device's status from its actions and bumps its state version. */
    static final String REFRESH_DEVICES = """
            UPDATE device d SET state_version = d.state_version + 1, updated_at = d.updated_at, status = CASE
                WHEN EXISTS (SELECT 1 FROM action a WHERE a.device_id = d.id AND a.active) THEN 'PENDING'
                ELSE coalesce((SELECT CASE a.status WHEN 'FINISHED' THEN 'IN_SYNC' ELSE 'ERROR' END FROM action a
                               WHERE a.device_id = d.id AND a.status IN ('FINISHED', 'ERROR')
                               ORDER BY a.updated_at DESC, a.id DESC LIMIT 1),
                              CASE WHEN d.status = 'UNKNOWN' AND d.last_seen_at IS NULL THEN 'UNKNOWN' ELSE 'REGISTERED' END)
                END
            WHERE d.id = ANY(?)""";

    private void refreshDevice(long deviceId) {
        em.flush();
        em.unwrap(org.hibernate.Session.class).doWork(c -> assigner.refreshDevices(c, new Long[]{deviceId}));
    }

    private Action action(long id) {
        return Action.<Action>findByIdOptional(id).orElseThrow(() -> DomainException.of(ErrorCode.ACTION_NOT_FOUND, "no action with id " + id));
    }

    private String controllerId(long deviceId) {
        return (String) em.createNativeQuery("SELECT controller_id FROM device WHERE id = ?1").setParameter(1, deviceId)
                .getSingleResult();
    }

    DeploymentApi.ActionView view(Action a, String controllerId) {
        DeploymentApi.ArtifactRef ref = null;
        if (a.artifactId != null) {
            Artifact art = Artifact.findById(a.artifactId);
            if (art != null) ref = new DeploymentApi.ArtifactRef(art.id, art.filename, art.sha256, art.size, art.target());
        }
        return new DeploymentApi.ActionView(a.id, controllerId, a.model.name, a.version.version, a.requested,
                a.type.wireName(), a.status.wireName(), a.active, ref, a.reason, a.createdAt, a.updatedAt, a.createdBy,
                a.rollbackAuthorization != null ? Boolean.TRUE : null, DeploymentApi.Window.of(a.maintenanceWindow()),
                Transfers.view(a));
    }

    /** For the DDI answer: the artifact an action delivers. */
    public Optional<Artifact> artifact(UUID id) {
        return Artifact.findByIdOptional(id);
    }
}
