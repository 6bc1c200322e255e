package dev.modelyard.server.ddi;

import dev.modelyard.delta.DeltaFormat;
import dev.modelyard.server.tenant.TenantDirectory;
import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.deployment.Action;
import dev.modelyard.server.deployment.ActionState;
import dev.modelyard.server.delta.DeltaOffers;
import dev.modelyard.server.deployment.DeploymentService;
import dev.modelyard.server.deployment.MaintenanceWindow;
import dev.modelyard.server.device.DeviceChangeFeed;
import dev.modelyard.server.device.DeviceState;
import dev.modelyard.server.device.DeviceTokens;
import dev.modelyard.server.device.LongTable;
import dev.modelyard.server.device.TokenHash;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.model.VersionStatus;
import dev.modelyard.server.signing.ReleaseSigner;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.ddi.CancelActionBase;
import dev.modelyard.wire.ddi.ControllerBase;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.ddi.Link;
import dev.modelyard.wire.ddi.Links;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Builds DDI answers. The poll is served from a per-device cache of rendered answers. While the
 * {@link DeviceChangeFeed} is live, a cached answer is current until the feed says the device
 * changed, so the poll touches no database at all; otherwise each poll reads the device's state
 * version by primary key and reuses the answer only while that version is unchanged. Last-seen
 * times are batched elsewhere.
 */
@ApplicationScoped
public class DdiService {

    /** Chunk part name: hawkBit's name for an application module, which DDI clients accept. */
    static final String PART = "bApp";
    static final String RELEASE_SUFFIX = ".release.json";
    /** The signed rollback authorization beside an older release's payload (Modelyard's updater only). */
    static final String ROLLBACK_SUFFIX = ".rollback.json";
    static final String MD5SUM_SUFFIX = ".MD5SUM";

    /**
     * What the poll answer depends on. {@code newUntilMillis}: until when the device counts as new
     * and is told the short polling interval (0: it does not). {@code window}: the offered
     * action's maintenance window (null: none), read in {@code windowZone} when it names no zone.
     */
    record PollState(Long cancelActionId, Long deploymentActionId, String deploymentHash, Long installedActionId,
                     boolean configData, long newUntilMillis, MaintenanceWindow window, ZoneId windowZone) {
    }

    /**
     * A rendered poll answer for one base URL ({@code base} null: an answer without links, the
     * same for every base, shared by every device with that answer; see {@link #shared}), with
     * the short interval of new devices or not.
     * {@code windowOpen}: whether the offered action's maintenance window was open (null: it has
     * none), which the deploymentBase link's {@code c} parameter reflects, so that a client
     * following that link sees the change when the window opens or closes; the answer is
     * rendered again once {@code windowUntilMillis} has passed.
     */
    record Rendered(String base, boolean newDevice, Duration sleep, Boolean windowOpen, long windowUntilMillis,
                    byte[] body, String etag) {
    }

    /** What the cache holds per device: kept small, a million of them fit in a few hundred MiB. */
    private static final class Cached {
        final long version;
        final String tenant;
        /** The device's token when the entry was read (the token index's key object when they are equal). */
        final TokenHash tokenHash;
        final PollState state;
        volatile Rendered rendered;

        Cached(long version, String tenant, TokenHash tokenHash, PollState state) {
            this.version = version;
            this.tenant = tenant;
            this.tokenHash = tokenHash;
            this.state = state;
        }
    }

    /**
     * Device id → its answer. Bounded by {@code modelyard.ddi.cache.max-devices}, devices not
     * polled lately dropped first: a dropped device's next poll loads it again with one indexed read.
     * Concurrency: entries are removed when the feed says their device changed, and a loaded
     * entry is kept only if no change arrived while it was loaded (see {@link #poll}).
     */
    private final LongTable<Cached> polls;
    /**
     * Answers without links by their ETag: an idle fleet's devices of one tenant all get the same
     * answer, held once instead of once per device. A few per tenant and polling interval; bounded
     * all the same (an answer dropped here stays with the devices that hold it).
     */
    private final Cache<String, Rendered> shared = Caffeine.newBuilder().maximumSize(10_000).build();
    /**
     * Poll states without any action (an idle device's: whether configData is asked for, and
     * until when the device counts as new), held once for all devices in the same state. Bounded
     * like {@link #shared}; a state dropped here stays with the devices that hold it.
     */
    private final Cache<PollState, PollState> idleStates = Caffeine.newBuilder().maximumSize(10_000).build();
    private final Map<Long, SelfTestFile> selfTestFiles = new ConcurrentHashMap<>();
    private final DeviceChangeFeed feed;
    private final DeviceTokens tokens;
    private final AgroalDataSource db;
    private final DeviceState deviceState;
    private final DeploymentService deployments;
    private final BlobDigests digests;
    private final ReleaseSigner signer;
    private final ModelyardConfig config;
    private final TenantDirectory tenants;
    private final DeltaFiles deltas;
    private final Clock clock;

    public DdiService(DeviceChangeFeed feed, DeviceTokens tokens, AgroalDataSource db, DeviceState deviceState,
                      DeploymentService deployments, BlobDigests digests, ReleaseSigner signer, ModelyardConfig config,
                      Clock clock, TenantDirectory tenants, DeltaFiles deltas) {
        this.tokens = tokens;
        this.tenants = tenants;
        this.deltas = deltas;
        this.feed = feed;
        this.db = db;
        this.deviceState = deviceState;
        this.deployments = deployments;
        this.digests = digests;
        this.signer = signer;
        this.config = config;
        this.clock = clock;
        this.polls = LongTable.boundedValues(config.ddi().cache().maxDevices());
        feed.subscribe(new DeviceChangeFeed.Listener() {
            @Override
            public void changed(long deviceId, boolean tokenChanged) {
                polls.remove(deviceId);
            }

            @Override
            public void reset() {
                polls.clear();
            }
        });
    }

    /**
     * The poll answer from memory, when memory can be trusted: the feed is live and this device's
     * answer is cached for the presented token. Never blocks; empty means "ask {@link #poll}".
     */
    Optional<Rendered> cachedPoll(long deviceId, String tokenHash, String base) {
        return Optional.ofNullable(cachedAnswer(deviceId, tokenHash == null ? null : TokenHash.ofHex(tokenHash), () -> base));
    }

    /**
     * As {@link #cachedPoll}, null when memory cannot answer: for the poll's I/O-thread path. The
     * base URL is asked for only when the answer has links (an action): it is the request's
     * absolute URI, which costs the HTTP layer a parse and a few strings on every poll otherwise.
     */
    Rendered cachedAnswer(long deviceId, TokenHash tokenHash, Supplier<String> base) {
        if (!feed.live()) return null;
        Cached c = polls.get(deviceId);
        if (c == null || (tokenHash != null && !tokenHash.equals(c.tokenHash))) return null;
        return render(c, base);
    }

    /** Poll answers cached now (for tests and the cache-size measurement). */
    long cachedAnswers() {
        return polls.size();
    }

    /**
     * The poll answer. {@code tokenHash} is the hash of the presented device token (null for the
     * gateway token): it must still be the device's, so a rotated token fails on every replica.
     */
    Rendered poll(long deviceId, String tokenHashHex, String base) {
        TokenHash tokenHash = tokenHashHex == null ? null : TokenHash.ofHex(tokenHashHex);
        long seen = feed.sequence();
        Cached c = polls.get(deviceId);
        Cached current = c == null ? loadAll(deviceId, tokenHash) : revalidate(deviceId, c, tokenHash);
        if (current == null) {
            polls.remove(deviceId);
            throw DomainException.of(ErrorCode.UNAUTHORIZED, "device is gone");
        }
        if (tokenHash != null && !tokenHash.equals(current.tokenHash)) {
            throw DomainException.of(ErrorCode.UNAUTHORIZED, "the device token was rotated");
        }
        if (current != c) {
            polls.put(deviceId, current);
            // A change delivered while we read may concern this device: do not keep the answer.
            if (feed.sequence() != seen) polls.remove(deviceId, current);
        }
        return render(current, () -> base);
    }

    /** The cached entry if the device's state version and token are unchanged, else a fresh one (null: gone). */
    private Cached revalidate(long deviceId, Cached c, TokenHash presentedHash) {
        Optional<DeviceState.Current> read = deviceState.read(deviceId);
        if (read.isEmpty()) return null;
        DeviceState.Current cur = read.get();
        TokenHash token = TokenHash.ofStored(cur.tokenHash());
        return c.version == cur.version() && Objects.equals(c.tokenHash, token) ? c : loadAll(deviceId, presentedHash);
    }

    /** The answer rendered for this device's state, rendered again if what it was rendered for changed. */
    private Rendered render(Cached c, Supplier<String> baseUrl) {
        Rendered r = c.rendered;
        // A device stops being new by a change (its first install: the cache entry is replaced) or by time.
        long now = clock.millis();
        boolean newDevice = c.state.newUntilMillis() > now;
        Duration sleep = pollingSleep(c.tenant, newDevice);
        boolean windowDue = c.state.window() != null && (r == null || r.windowUntilMillis() <= now);
        // An answer without links (no action: most polls) reads the same at any base URL, which
        // is therefore asked for only when the answer has links or is rendered.
        if (r == null || windowDue || r.newDevice() != newDevice || !r.sleep().equals(sleep)
                || (r.base() != null && !r.base().equals(baseUrl.get()))) {
            String base = baseUrl.get();
            Boolean open = null;
            long until = Long.MAX_VALUE;
            if (c.state.window() != null) {
                Instant at = Instant.ofEpochMilli(now);
                open = c.state.window().isOpen(at, c.state.windowZone());
                until = untilMillis(c.state.window().nextChange(at, c.state.windowZone()));
            }
            Map<String, Link> links = links(c.state, open, base);
            byte[] body = DdiJson.write(ControllerBase.of(sleep, links));
            r = new Rendered(links.isEmpty() ? null : base, newDevice, sleep, open, until, body, etag(body));
            if (r.base() == null) r = shared(r);
            c.rendered = r;
        }
        return r;
    }

    /**
     * A state without actions held once for every device in it. What is per device is dropped
     * first: a time until which the device counted as new that has passed (it is only compared
     * with the time of the answer, and time only moves on), and the device's zone (read only for
     * an action's maintenance window).
     */
    private PollState shared(PollState s) {
        if (s.cancelActionId() != null || s.deploymentActionId() != null || s.installedActionId() != null) return s;
        long newUntil = s.newUntilMillis() > clock.millis() ? s.newUntilMillis() : 0;
        PollState idle = new PollState(null, null, null, null, s.configData(), newUntil, null, null);
        return idleStates.get(idle, k -> idle);
    }

    /** The instance of this answer without links that other devices already hold, or this one. */
    private Rendered shared(Rendered r) {
        Rendered held = shared.get(r.etag(), tag -> r);
        boolean same = held.newDevice() == r.newDevice() && held.sleep().equals(r.sleep())
                && Objects.equals(held.windowOpen(), r.windowOpen()) && held.windowUntilMillis() == r.windowUntilMillis()
                && Arrays.equals(held.body(), r.body());
        return same ? held : r;
    }

    /** Milliseconds of a window's next change; {@link Instant#MAX} (nothing changes any more) is the long's end. */
    private static long untilMillis(Instant change) {
        return change.isAfter(Instant.ofEpochMilli(Long.MAX_VALUE)) ? Long.MAX_VALUE : change.toEpochMilli();
    }

    /**
     * New devices poll often, so that a first deployment right after registration reaches them in
     * seconds rather than minutes; the others at their tenant's interval or the configured one.
     * The tenant's entry is the one authentication just read: no database read on the I/O thread.
     */
    private Duration pollingSleep(String tenant, boolean newDevice) {
        Duration normal = tenants.latest(tenant).map(TenantDirectory.Entry::pollingInterval)
                .orElse(config.ddi().pollingSleep());
        Duration quick = config.ddi().newDevicePollingSleep();
        return newDevice && quick.compareTo(normal) < 0 ? quick : normal;
    }

    /** Until when a device registered at {@code createdAt} counts as new, if it has no model installed. */
    private long newUntilMillis(Timestamp createdAt, boolean installedAny) {
        Duration period = config.ddi().newDevicePeriod();
        if (installedAny || period.isZero() || period.isNegative()) return 0;
        return createdAt.getTime() + period.toMillis();
    }

    private static Map<String, Link> links(PollState s, Boolean windowOpen, String base) {
        Map<String, Link> links = new LinkedHashMap<>();
        if (s.cancelActionId() != null) {
            links.put(Links.CANCEL_ACTION, new Link(base + "/cancelAction/" + s.cancelActionId()));
        } else if (s.deploymentActionId() != null) {
            // As hawkBit, the link changes with the window's availability: clients that re-fetch
            // the deployment only when its link changes still see the window open.
            String hash = windowOpen == null ? s.deploymentHash()
                    : Integer.toString(Objects.hash(s.deploymentHash(), windowOpen) & 0x7fffffff);
            links.put(Links.DEPLOYMENT_BASE, new Link(base + "/deploymentBase/" + s.deploymentActionId() + "?c=" + hash));
        }
        if (s.installedActionId() != null) {
            links.put(Links.INSTALLED_BASE, new Link(base + "/installedBase/" + s.installedActionId()));
        }
        if (s.configData()) {
            links.put(Links.CONFIG_DATA, new Link(base + "/configData"));
        }
        return links;
    }

    /** Everything a poll answer depends on, in one round trip; null when the device is gone. */
    private Cached loadAll(long deviceId, TokenHash presentedHash) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT d.state_version, d.token_hash, d.attributes_requested,
                       (SELECT a.id FROM action a WHERE a.device_id = d.id AND a.active AND a.status = 'CANCELING'
                        ORDER BY a.id LIMIT 1),
                       open.id, open.type, open.artifact_id,
                       (SELECT i.action_id FROM installed_model i JOIN model_version v ON v.id = i.version_id
                        WHERE i.device_id = d.id AND v.status <> 'REVOKED'
                        ORDER BY i.installed_at DESC, i.action_id DESC LIMIT 1),
                       d.created_at,
                       EXISTS (SELECT 1 FROM installed_model i WHERE i.device_id = d.id),
                       d.tenant,
                       open.maintenance_schedule, open.maintenance_duration_seconds, open.maintenance_zone,
                       d.attributes ->> 'timezone'
                FROM device d
                LEFT JOIN LATERAL (SELECT a.id, a.type, a.artifact_id, a.maintenance_schedule,
                                          a.maintenance_duration_seconds, a.maintenance_zone FROM action a
                                   WHERE a.device_id = d.id AND a.active AND a.status <> 'CANCELING'
                                   ORDER BY a.id LIMIT 1) open ON true
                WHERE d.id = ?""")) {
            ps.setLong(1, deviceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                String token = rs.getString(2);
                Long cancel = nullable(rs, 4);
                Long deploy = nullable(rs, 5);
                String hash = deploy == null ? null
                        : Integer.toString(Objects.hash(deploy, rs.getString(6), rs.getString(7)) & 0x7fffffff);
                MaintenanceWindow window = deploy == null || rs.getString(12) == null ? null
                        : new MaintenanceWindow(rs.getString(12), Duration.ofSeconds(rs.getInt(13)), rs.getString(14));
                PollState state = shared(new PollState(cancel, deploy, hash, nullable(rs, 8), rs.getBoolean(3),
                        newUntilMillis(rs.getTimestamp(9), rs.getBoolean(10)), window,
                        MaintenanceWindow.deviceZone(rs.getString(15))));
                // Tenants are few: one String per tenant, not one per cached device.
                TokenHash tokenHash = TokenHash.ofStored(token);
                // The token index's key of this device, or the presented hash: one object for both caches.
                TokenHash held = tokens.heldHash(deviceId);
                if (tokenHash != null && tokenHash.equals(held)) tokenHash = held;
                else if (tokenHash != null && tokenHash.equals(presentedHash)) tokenHash = presentedHash;
                return new Cached(rs.getLong(1), rs.getString(11).intern(), tokenHash, state);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("loading the poll state failed", e);
        }
    }

    private static Long nullable(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static String etag(byte[] body) {
        return "\"0" + BlobDigests.hex("MD5", body) + "\"";
    }

    // ---- deploymentBase / installedBase ---------------------------------------------------------

    /**
     * The deployment of an action. Offered while it is open (not being canceled); a finished one
     * stays readable (installedBase). Anything else, and any revoked version, is not found.
     *
     * @param historyLimit 0: no action history; -1: all of it; n: the newest n messages
     */
    @Transactional
    public DeploymentBase deployment(long deviceId, long actionId, String base, int historyLimit, boolean installed) {
        ForDevice found = forDevice("a.id = ?1 and a.deviceId = ?2", actionId, deviceId)
                .orElseThrow(() -> DomainException.of(ErrorCode.ACTION_NOT_FOUND, "no action " + actionId + " for this device"));
        Action a = found.action();
        boolean open = a.active && ActionState.OFFERED.contains(a.status);
        boolean done = a.status == ActionState.FINISHED || (!a.active && a.status == ActionState.DOWNLOADED);
        if ((installed ? !done : !(open || done)) || a.version.status == VersionStatus.REVOKED) {
            throw DomainException.of(ErrorCode.NOT_FOUND, "action " + actionId + " has no deployment to offer");
        }
        Artifact art = deployments.artifact(a.artifactId).orElseThrow(() -> DomainException.of(ErrorCode.ARTIFACT_NOT_FOUND, "artifact is gone"));
        // Built first: digests may need a pass over the file, which must not hold the action's row lock.
        DeploymentBase.Chunk chunk = chunk(a, art, base, found.modelyardUpdater());
        if (open && found.modelyardUpdater()) chunk = withDeltas(chunk, a, art, found.attributes(), base);
        if (!installed && a.status == ActionState.RUNNING) {
            deployments.retrieved(a.id);
        }
        DeploymentBase.ActionHistory history = historyLimit == 0 ? null
                : new DeploymentBase.ActionHistory(deployments.lastStatus(a.id), deployments.messages(a.id, historyLimit));
        MaintenanceWindow window = a.maintenanceWindow();
        String update = a.type.ddiUpdate();
        String availability = null;
        if (window != null) {
            // hawkBit's semantics: the download goes as the action type says; the update step is
            // skipped while no window is open, and the device asks again on later polls.
            boolean windowOpen = window.isOpen(clock.instant(), found.zone());
            availability = windowOpen ? DeploymentBase.AVAILABLE : DeploymentBase.UNAVAILABLE;
            if (!windowOpen) update = DeploymentBase.SKIP;
        }
        return new DeploymentBase(Long.toString(a.id),
                new DeploymentBase.Deployment(a.type.ddiDownload(), update, List.of(chunk), availability), history);
    }

    /**
     * An action of a device, and whether the device runs Modelyard's own updater ({@link
     * DeviceAttributes#modelyardUpdater}): only then does a chunk carry the signed metadata and
     * self-tests besides the payload.
     */
    private record ForDevice(Action action, boolean modelyardUpdater, ZoneId zone, Map<String, String> attributes) {
    }

    /**
     * The newest action matching {@code where} (over {@code a}, the action) with its device's
     * reported attributes, in one read: the device row is needed for nothing else here.
     */
    private static Optional<ForDevice> forDevice(String where, Object... params) {
        var q = Action.getEntityManager().createQuery("select a, d.attributes from Action a, Device d where d.id = a.deviceId and "
                + where + " order by a.id desc", Object[].class).setMaxResults(1);
        for (int i = 0; i < params.length; i++) q.setParameter(i + 1, params[i]);
        return q.getResultStream().findFirst().map(row -> {
            @SuppressWarnings("unchecked")
            Map<String, String> attributes = (Map<String, String>) row[1];
            return new ForDevice((Action) row[0], DeviceAttributes.modelyardUpdater(attributes),
                    MaintenanceWindow.deviceZone(attributes == null ? null : attributes.get(DeviceAttributes.TIMEZONE)),
                    attributes == null ? Map.of() : attributes);
        });
    }

    /**
     * One chunk per action, as hawkBit sends one software module. A stock client gets exactly
     * one artifact, the payload; Modelyard's updater ({@code withSignedFiles}) also gets
     * {@code <file>.release.json} and {@code <file>.selftest.json}, which are downloadable by
     * any device the module is assigned to, and, for an action that rolls back to this release,
     * {@code <file>.rollback.json} (the signed authorization to install it below the counter the
     * device runs).
     */
    private DeploymentBase.Chunk chunk(Action a, Artifact art, String base, boolean withSignedFiles) {
        String prefix = base + "/softwaremodules/" + art.id + "/artifacts/";
        List<DeploymentBase.Artifact> files = new ArrayList<>();
        BlobDigests.Hashes h = digests.of(art.sha256, art.size);
        files.add(new DeploymentBase.Artifact(art.filename, new DeploymentBase.Hashes(h.sha1(), h.md5(), art.sha256.strip()),
                art.size, fileLinks(prefix + art.filename, base)));
        if (withSignedFiles) addSignedFiles(files, a, art, prefix, base);
        return new DeploymentBase.Chunk(PART, a.version.version, a.model.name, files, metadata(a, art));
    }

    /**
     * The chunk with the deltas Modelyard's updater may download instead of its payload (see
     * {@link DeltaFiles}); unchanged when there are none, so the JSON has no extension member.
     */
    private DeploymentBase.Chunk withDeltas(DeploymentBase.Chunk chunk, Action a, Artifact art, Map<String, String> attributes,
                                            String base) {
        String prefix = base + "/softwaremodules/" + art.id + "/artifacts/";
        List<DeploymentBase.Delta> offered = deltas.offered(a, art, attributes, prefix, base);
        return offered == null ? chunk : new DeploymentBase.Chunk(chunk.part(), chunk.version(), chunk.name(),
                chunk.artifacts(), chunk.metadata(), offered);
    }

    private void addSignedFiles(List<DeploymentBase.Artifact> files, Action a, Artifact art, String prefix, String base) {
        Optional<String> envelope = signer.envelope(art.id);
        if (envelope.isPresent()) {
            byte[] bytes = envelope.get().getBytes(StandardCharsets.UTF_8);
            files.add(new DeploymentBase.Artifact(art.filename + RELEASE_SUFFIX,
                    new DeploymentBase.Hashes(BlobDigests.hex("SHA-1", bytes), BlobDigests.hex("MD5", bytes),
                            BlobDigests.hex("SHA-256", bytes)),
                    bytes.length, fileLinks(prefix + art.filename + RELEASE_SUFFIX, base)));
        }
        if (a.rollbackAuthorization != null) {
            byte[] bytes = a.rollbackAuthorization.getBytes(StandardCharsets.UTF_8);
            files.add(new DeploymentBase.Artifact(art.filename + ROLLBACK_SUFFIX,
                    new DeploymentBase.Hashes(BlobDigests.hex("SHA-1", bytes), BlobDigests.hex("MD5", bytes),
                            BlobDigests.hex("SHA-256", bytes)),
                    bytes.length, fileLinks(prefix + art.filename + ROLLBACK_SUFFIX, base)));
        }
        if (a.version.selfTestSha256 != null) {
            String name = ReleaseSigner.selfTestFilename(art.filename);
            SelfTestFile f = selfTestFiles.computeIfAbsent(a.version.id, id -> selfTestFile(a.version));
            files.add(new DeploymentBase.Artifact(name, new DeploymentBase.Hashes(f.sha1(), f.md5(), f.sha256()), f.size(),
                    fileLinks(prefix + name, base)));
        }
    }

    /** The chunk's metadata: what was chosen for the device, as hawkBit's target-visible module metadata. */
    private static List<DeploymentBase.KeyValue> metadata(Action a, Artifact art) {
        List<DeploymentBase.KeyValue> meta = new ArrayList<>();
        meta.add(new DeploymentBase.KeyValue("model", a.model.name));
        meta.add(new DeploymentBase.KeyValue("version", a.version.version));
        if (a.version.releaseCounter != null) {
            meta.add(new DeploymentBase.KeyValue("releaseCounter", Long.toString(a.version.releaseCounter)));
        }
        TargetDescriptor t = art.target();
        meta.add(new DeploymentBase.KeyValue("format", t.format()));
        meta.add(new DeploymentBase.KeyValue("runtime", t.runtime()));
        if (t.runtimeVersion() != null) meta.add(new DeploymentBase.KeyValue("runtimeVersion", t.runtimeVersion()));
        meta.add(new DeploymentBase.KeyValue("arch", t.arch()));
        meta.add(new DeploymentBase.KeyValue("accelerator", t.accelerator()));
        meta.add(new DeploymentBase.KeyValue("precision", t.precision()));
        if (t.minMemoryMb() != null) meta.add(new DeploymentBase.KeyValue("minMemoryMb", Integer.toString(t.minMemoryMb())));
        if (t.os() != null) meta.add(new DeploymentBase.KeyValue("os", t.os()));
        if (t.needsCpuFeatures()) meta.add(new DeploymentBase.KeyValue("cpuFeatures", String.join(",", t.cpuFeatures())));
        return meta;
    }

    /**
     * hawkBit's link names: {@code download}/{@code md5sum} are the HTTPS links, {@code
     * download-http}/{@code md5sum-http} the plain ones. A request that came over HTTPS (or
     * through a proxy that says so, when Quarkus is told to trust its forwarding headers) gets
     * the HTTPS pair only, a plain one the plain pair only: a link is never offered on a scheme
     * the server was not reached by. Clients take {@code download} else {@code download-http}.
     */
    static Map<String, Link> fileLinks(String href, String base) {
        Map<String, Link> links = new LinkedHashMap<>();
        boolean https = base.regionMatches(true, 0, "https:", 0, 6);
        links.put(https ? Links.DOWNLOAD : Links.DOWNLOAD_HTTP, new Link(href));
        links.put(https ? Links.MD5SUM : Links.MD5SUM_HTTP, new Link(href + MD5SUM_SUFFIX));
        return links;
    }

    /** The cancellation of an action, while it is being canceled. */
    @Transactional
    public CancelActionBase cancelAction(long deviceId, long actionId) {
        Action a = deployments.deviceAction(deviceId, actionId)
                .orElseThrow(() -> DomainException.of(ErrorCode.ACTION_NOT_FOUND, "no action " + actionId + " for this device"));
        if (!a.active || a.status != ActionState.CANCELING) {
            throw DomainException.of(ErrorCode.NOT_FOUND, "action " + actionId + " is not being canceled");
        }
        return CancelActionBase.of(a.id);
    }

    // ---- artifacts --------------------------------------------------------------------------

    /**
     * A file a device may download: the artifact itself, small generated content (the signed
     * metadata, an MD5SUM line's digest) in {@code bytes}, or one of the artifact's deltas.
     */
    record File(Artifact artifact, Kind kind, byte[] bytes, DeltaOffers.Offer delta) {

        File(Artifact artifact, Kind kind, byte[] bytes) {
            this(artifact, kind, bytes, null);
        }
    }

    enum Kind { ARTIFACT, ARTIFACT_MD5SUM, RELEASE, RELEASE_MD5SUM, ROLLBACK, ROLLBACK_MD5SUM, SELF_TEST, SELF_TEST_MD5SUM,
        DELTA, DELTA_MD5SUM }

    /** Digests of a published version's self-test document, which never changes: computed once per replica. */
    private record SelfTestFile(String sha1, String md5, String sha256, long size) {
    }

    private static SelfTestFile selfTestFile(ModelVersion v) {
        byte[] doc = selfTestBytes(v);
        return new SelfTestFile(BlobDigests.hex("SHA-1", doc), BlobDigests.hex("MD5", doc), v.selfTestSha256.strip(), doc.length);
    }

    /** The version's frozen self-test document, the bytes its release metadata names. */
    private static byte[] selfTestBytes(ModelVersion v) {
        return v.selfTestDocument == null ? null : v.selfTestDocument.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The module (artifact id) must belong to an action of this device that is offered or was
     * installed; otherwise ARTIFACT_NOT_FOUND, as hawkBit refuses modules not assigned to the target.
     */
    @Transactional
    public Artifact module(long deviceId, String moduleId) {
        UUID id;
        try {
            id = UUID.fromString(moduleId);
        } catch (IllegalArgumentException e) {
            throw DomainException.of(ErrorCode.ARTIFACT_NOT_FOUND, "no software module " + moduleId);
        }
        Long n = Action.count("""
                deviceId = ?1 and artifactId = ?2 and version.status <> ?3
                and ((active = true and status <> ?4) or status = ?5 or (active = false and status = ?6))""",
                deviceId, id, VersionStatus.REVOKED, ActionState.CANCELING, ActionState.FINISHED, ActionState.DOWNLOADED);
        if (n == 0) throw DomainException.of(ErrorCode.ARTIFACT_NOT_FOUND, "no assignment of software module " + moduleId + " to this device");
        return deployments.artifact(id).orElseThrow(() -> DomainException.of(ErrorCode.ARTIFACT_NOT_FOUND, "no software module " + moduleId));
    }

    @Transactional
    public File file(long deviceId, String moduleId, String filename) {
        Artifact a = module(deviceId, moduleId);
        if (filename.equals(a.filename)) return new File(a, Kind.ARTIFACT, null);
        if (filename.equals(a.filename + MD5SUM_SUFFIX)) {
            return new File(a, Kind.ARTIFACT_MD5SUM, digests.of(a.sha256, a.size).md5().getBytes(StandardCharsets.US_ASCII));
        }
        if (filename.equals(a.filename + RELEASE_SUFFIX) || filename.equals(a.filename + RELEASE_SUFFIX + MD5SUM_SUFFIX)) {
            byte[] env = signer.envelope(a.id).map(s -> s.getBytes(StandardCharsets.UTF_8))
                    .orElseThrow(() -> noFile(a, filename));
            return new File(a, filename.endsWith(MD5SUM_SUFFIX) ? Kind.RELEASE_MD5SUM : Kind.RELEASE, env);
        }
        if (filename.equals(a.filename + ROLLBACK_SUFFIX) || filename.equals(a.filename + ROLLBACK_SUFFIX + MD5SUM_SUFFIX)) {
            // The authorization belongs to the device's newest action for this module, not to the module.
            byte[] auth = forDevice("a.deviceId = ?1 and a.artifactId = ?2", deviceId, a.id)
                    .map(f -> f.action().rollbackAuthorization).map(s -> s.getBytes(StandardCharsets.UTF_8))
                    .orElseThrow(() -> noFile(a, filename));
            return new File(a, filename.endsWith(MD5SUM_SUFFIX) ? Kind.ROLLBACK_MD5SUM : Kind.ROLLBACK, auth);
        }
        String selfTest = ReleaseSigner.selfTestFilename(a.filename);
        if (filename.equals(selfTest) || filename.equals(selfTest + MD5SUM_SUFFIX)) {
            byte[] doc = selfTestBytes(a.version);
            if (doc == null) throw noFile(a, filename);
            return new File(a, filename.endsWith(MD5SUM_SUFFIX) ? Kind.SELF_TEST_MD5SUM : Kind.SELF_TEST, doc);
        }
        if (filename.endsWith(DeltaFormat.FILE_SUFFIX + MD5SUM_SUFFIX)) {
            DeltaOffers.Offer d = deltas.named(a, filename.substring(0, filename.length() - MD5SUM_SUFFIX.length()))
                    .orElseThrow(() -> noFile(a, filename));
            byte[] md5 = digests.of(d.blobSha256(), d.size()).md5().getBytes(StandardCharsets.US_ASCII);
            return new File(a, Kind.DELTA_MD5SUM, md5, d);
        }
        if (filename.endsWith(DeltaFormat.FILE_SUFFIX)) {
            return new File(a, Kind.DELTA, null, deltas.named(a, filename).orElseThrow(() -> noFile(a, filename)));
        }
        throw noFile(a, filename);
    }

    /** A known module without this file: a plain miss, unlike an unknown module ({@code ARTIFACT_NOT_FOUND}). */
    private static DomainException noFile(Artifact a, String filename) {
        return DomainException.of(ErrorCode.NOT_FOUND, "software module " + a.id + " has no file '" + filename + "'");
    }

    /** The files of a module, as hawkBit lists them. */
    @Transactional
    public List<DeploymentBase.Artifact> files(long deviceId, String moduleId, String base) {
        Artifact a = module(deviceId, moduleId);
        ForDevice found = forDevice("a.deviceId = ?1 and a.artifactId = ?2", deviceId, a.id)
                .orElseThrow(() -> DomainException.of(ErrorCode.ARTIFACT_NOT_FOUND, "no software module " + moduleId));
        return chunk(found.action(), a, base, found.modelyardUpdater()).artifacts();
    }
}
