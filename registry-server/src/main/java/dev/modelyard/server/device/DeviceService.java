package dev.modelyard.server.device;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.health.ActionHealthView;
import dev.modelyard.server.http.Names;
import dev.modelyard.server.live.LiveEvents;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.hibernate.exception.ConstraintViolationException;

/** Devices: provisioning with a token, listing, tags, attributes, token rotation. */
@ApplicationScoped
public class DeviceService {

    /** hawkBit controller ids are free-form; ours are URL-safe. */
    public static final Pattern CONTROLLER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    static final int MAX_ATTRIBUTES = 200;
    static final int MAX_ATTRIBUTE_LENGTH = 1024;

    private final EntityManager em;
    private final Clock clock;
    private final DeviceTokens tokens;
    private final DeviceState state;
    private final DeviceChangeFeed feed;
    private final TenantContext tenants;
    private final jakarta.enterprise.event.Event<DeviceChanged> changed;
    private final LiveEvents live;

    public DeviceService(EntityManager em, Clock clock, DeviceTokens tokens, DeviceState state, DeviceChangeFeed feed,
                         TenantContext tenants, jakarta.enterprise.event.Event<DeviceChanged> changed, LiveEvents live) {
        this.live = live;
        this.em = em;
        this.changed = changed;
        this.tenants = tenants;
        this.clock = clock;
        this.tokens = tokens;
        this.state = state;
        this.feed = feed;
    }

    public record Created(Device device, String secret) {
    }

    public static String requireControllerId(String controllerId) {
        if (controllerId == null || !CONTROLLER_ID.matcher(controllerId).matches()) {
            throw DomainException.of(ErrorCode.INVALID_NAME, "controllerId: '" + (controllerId == null ? "" : controllerId)
                    + "' must be 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit");
        }
        return controllerId;
    }

    @Transactional
    public Created create(DeviceApi.CreateDevice body, String by) {
        return create(body, null, false, by);
    }

    /**
     * Creates a device with the given token ({@code chosenToken}, when not null) or a new one;
     * {@code readable} keeps the token readable for hawkBit's Management API.
     */
    @Transactional
    public Created create(DeviceApi.CreateDevice body, String chosenToken, boolean readable, String by) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required: {\"controllerId\": …}");
        requireControllerId(body.controllerId());
        if (Device.findByController(body.controllerId()).isPresent()) {
            throw DomainException.of(ErrorCode.ALREADY_EXISTS, "a device with controller id '" + body.controllerId() + "' exists already");
        }
        Device d = new Device();
        d.controllerId = body.controllerId();
        d.name = body.name();
        d.description = body.description();
        d.tags = tags(body.tags());
        if (body.attributes() != null) d.attributes = attributes(body.attributes());
        String secret = chosenToken == null ? DeviceTokens.newSecret() : requireChosenToken(chosenToken);
        setToken(d, secret, readable);
        d.createdAt = d.updatedAt = clock.instant();
        d.createdBy = by;
        persistUnique(d, "controllerId or securityToken: cannot be used, choose another");
        changed.fire(new DeviceChanged(tenants.current(), d.id));
        live.device(d.controllerId);
        return new Created(d, secret);
    }

    /**
     * Sets a token a client chose (hawkBit's securityToken); the old one stops working at once.
     * {@code readable} keeps it readable for hawkBit's Management API.
     */
    @Transactional
    public Device replaceToken(String controllerId, String chosenToken, boolean readable) {
        Device d = device(controllerId);
        String old = d.tokenHash;
        setToken(d, requireChosenToken(chosenToken), readable);
        d.updatedAt = clock.instant();
        persistUnique(d, REFUSED_TOKEN);
        if (old != null) tokens.invalidate(d.tenant, old);
        feed.tokenChangedInThisTransaction(d.id);
        return d;
    }

    /** Shortest token a client may choose: short tokens can be guessed, devices are found by their token alone. */
    static final int MIN_CHOSEN_TOKEN = 16;
    /** Characters of a token kept as its hint: few enough that the hint does not help guessing. */
    static final int TOKEN_HINT = 4;
    /**
     * Tokens are looked up by tenant and hash, so two devices of a tenant cannot share one (devices
     * of different tenants may: the DDI path names the tenant). The refusal names no device; it
     * still tells the caller that the token is taken in its own tenant, which is why only
     * publishers may choose tokens at creation and only admins may change an existing device's token.
     */
    static final String REFUSED_TOKEN = "securityToken: this token cannot be used, choose another";

    private static String requireChosenToken(String token) {
        if (token.length() < MIN_CHOSEN_TOKEN || token.length() > 128 || !token.chars().allMatch(c -> c > 32 && c < 127)) {
            throw DomainException.of(ErrorCode.BAD_REQUEST, "securityToken: must be " + MIN_CHOSEN_TOKEN
                    + " to 128 printable ASCII characters without spaces");
        }
        return token;
    }

    private static void setToken(Device d, String secret, boolean readable) {
        String hash = DeviceTokens.hash(secret);
        long others = d.id == null ? Device.count("tokenHash", hash) : Device.count("tokenHash = ?1 and id <> ?2", hash, d.id);
        if (others > 0) throw DomainException.of(ErrorCode.CONFLICT, REFUSED_TOKEN);
        d.tokenHash = hash;
        d.tokenHint = secret.substring(0, TOKEN_HINT);
        d.tokenSecret = readable ? secret : null;
    }

    /** The pre-checks race with concurrent requests; the unique indexes decide, and a loser gets CONFLICT, not a failure. */
    private static void persistUnique(Device d, String conflictMessage) {
        try {
            d.persistAndFlush();
        } catch (PersistenceException e) {
            if (e instanceof ConstraintViolationException || e.getCause() instanceof ConstraintViolationException) {
                throw DomainException.of(ErrorCode.CONFLICT, conflictMessage);
            }
            throw e;
        }
    }

    /**
     * Registers a device that polled with the gateway token under an unknown controller id.
     * Safe when several replicas see its first poll at once.
     */
    @Transactional
    public long registerIfAbsent(String controllerId) {
        requireControllerId(controllerId);
        Timestamp now = Timestamp.from(clock.instant());
        int inserted = em.createNativeQuery("""
                        INSERT INTO device (tenant, controller_id, status, created_at, updated_at, created_by)
                        VALUES (?1, ?2, 'REGISTERED', ?3, ?3, 'gateway-token')
                        ON CONFLICT (tenant, controller_id) DO NOTHING""")
                .setParameter(1, tenants.current()).setParameter(2, controllerId).setParameter(3, now)
                .executeUpdate();
        long id = ((Number) em.createNativeQuery("SELECT id FROM device WHERE tenant = ?1 AND controller_id = ?2")
                .setParameter(1, tenants.current()).setParameter(2, controllerId).getSingleResult()).longValue();
        changed.fire(new DeviceChanged(tenants.current(), id));
        if (inserted > 0) live.device(controllerId);
        return id;
    }

    // Native SQL is outside the ORM's tenant scoping: lookups by controller id name the tenant.
    public Optional<Long> idOf(String controllerId) {
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("SELECT id FROM device WHERE tenant = ?1 AND controller_id = ?2")
                .setParameter(1, tenants.current()).setParameter(2, controllerId).getResultList();
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(0).longValue());
    }

    public Device device(String controllerId) {
        return Device.findByController(controllerId)
                .orElseThrow(() -> DomainException.of(ErrorCode.DEVICE_NOT_FOUND, "no device with controller id '" + controllerId + "'"));
    }

    @Transactional
    public DeviceApi.DeviceView get(String controllerId) {
        return view(device(controllerId), null);
    }

    /**
     * The views of these devices (of the current tenant), in the order of {@code ids}; ids of no
     * device are left out. Three queries for the whole page (devices with tags, installed versions,
     * last-seen times), not three per device.
     */
    @Transactional
    public List<DeviceApi.DeviceView> views(List<Long> ids) {
        if (ids.isEmpty()) return List.of();
        Map<Long, Device> byId = new java.util.HashMap<>();
        for (Device d : Device.<Device>list("select distinct d from Device d left join fetch d.tags where d.id in ?1", ids)) {
            byId.put(d.id, d);
        }
        Map<Long, List<DeviceApi.Installed>> installed = new java.util.HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT i.device_id, m.name, v.version, i.action_id, i.installed_at
                        FROM installed_model i JOIN model m ON m.id = i.model_id JOIN model_version v ON v.id = i.version_id
                        WHERE i.device_id IN (?1) ORDER BY i.device_id, m.name""")
                .setParameter(1, ids).getResultList();
        for (Object[] r : rows) {
            installed.computeIfAbsent(((Number) r[0]).longValue(), k -> new ArrayList<>())
                    .add(new DeviceApi.Installed((String) r[1], (String) r[2], ((Number) r[3]).longValue(), instant(r[4])));
        }
        Map<Long, Instant> seen = new java.util.HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> times = em.createNativeQuery("SELECT id, last_seen_at FROM device WHERE id IN (?1) AND last_seen_at IS NOT NULL")
                .setParameter(1, ids).getResultList();
        for (Object[] r : times) seen.put(((Number) r[0]).longValue(), instant(r[1]));
        return ids.stream().map(byId::get).filter(java.util.Objects::nonNull)
                .map(d -> view(d, installed.getOrDefault(d.id, List.of()), seen.get(d.id), null)).toList();
    }

    @Transactional
    public DeviceApi.DeviceView patch(String controllerId, DeviceApi.PatchDevice body) {
        if (body == null) throw DomainException.of(ErrorCode.MISSING_BODY, "request body is required");
        Device d = device(controllerId);
        if (body.name() != null) d.name = body.name().isBlank() ? null : body.name();
        if (body.description() != null) d.description = body.description().isBlank() ? null : body.description();
        if (body.tags() != null) {
            d.tags.clear();
            d.tags.addAll(tags(body.tags()));
            changed.fire(new DeviceChanged(tenants.current(), d.id));
        }
        d.updatedAt = clock.instant();
        live.device(d.controllerId);
        return view(d, null);
    }

    @Transactional
    public void delete(String controllerId) {
        Device d = device(controllerId);
        String hash = d.tokenHash;
        em.createNativeQuery("DELETE FROM installed_model WHERE device_id = ?1").setParameter(1, d.id).executeUpdate();
        d.delete();
        tokens.invalidate(d.tenant, hash);
        feed.tokenChangedInThisTransaction(d.id);
        live.device(d.controllerId);
    }

    /** A new token; the old one stops working at once. */
    @Transactional
    public DeviceApi.DeviceView rotateToken(String controllerId) {
        Device d = device(controllerId);
        String old = d.tokenHash;
        String secret = DeviceTokens.newSecret();
        d.tokenHash = DeviceTokens.hash(secret);
        d.tokenHint = secret.substring(0, TOKEN_HINT);
        d.tokenSecret = null;
        d.updatedAt = clock.instant();
        tokens.invalidate(d.tenant, old);
        feed.tokenChangedInThisTransaction(d.id);
        return view(d, secret);
    }

    /** Asks the device for its attributes again (the poll offers configData until it reports). */
    @Transactional
    public void requestAttributes(String controllerId) {
        Device d = device(controllerId);
        if (!d.attributesRequested) {
            d.attributesRequested = true;
            d.updatedAt = clock.instant();
            state.bump(d.id);
        }
    }

    /** Applies a configData report; the poll stops offering configData afterwards. */
    @Transactional
    public void reportAttributes(long deviceId, Map<String, String> data, dev.modelyard.wire.ddi.ConfigData.Mode mode) {
        Device d = Device.findById(deviceId);
        if (d == null) throw DomainException.of(ErrorCode.DEVICE_NOT_FOUND, "device is gone");
        Map<String, String> next = new TreeMap<>(d.attributes);
        Map<String, String> in = data == null ? Map.of() : data;
        switch (mode) {
            case MERGE -> next.putAll(in);
            case REPLACE -> {
                next.clear();
                next.putAll(in);
            }
            case REMOVE -> in.keySet().forEach(next::remove);
        }
        String zoneBefore = d.attributes.get(dev.modelyard.wire.ddi.DeviceAttributes.TIMEZONE);
        d.attributes = attributes(next);
        d.updatedAt = clock.instant();
        changed.fire(new DeviceChanged(tenants.current(), deviceId));
        live.device(d.controllerId);
        // The poll answer reads maintenance windows in the device's zone: a new zone changes it.
        boolean zoneChanged = !java.util.Objects.equals(zoneBefore, d.attributes.get(dev.modelyard.wire.ddi.DeviceAttributes.TIMEZONE));
        if (d.attributesRequested || zoneChanged) {
            d.attributesRequested = false;
            state.bump(deviceId);
        }
    }

    public DeviceApi.DeviceView view(Device d, String secret) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT m.name, v.version, i.action_id, i.installed_at,
                               h.version, h.replaced_version, h.served_seconds, h.requests, h.errors, h.p50_ms, h.p99_ms,
                               h.baseline_p99_ms, h.p99_ratio, h.self_test, h.complete, h.reported_at
                        FROM installed_model i JOIN model m ON m.id = i.model_id JOIN model_version v ON v.id = i.version_id
                        LEFT JOIN action_health h ON h.action_id = i.action_id AND h.model = m.name AND h.tenant = i.tenant
                        WHERE i.device_id = ?1 ORDER BY m.name""")
                .setParameter(1, d.id).getResultList();
        List<DeviceApi.Installed> installed = new ArrayList<>();
        for (Object[] r : rows) {
            installed.add(new DeviceApi.Installed((String) r[0], (String) r[1], ((Number) r[2]).longValue(), instant(r[3]),
                    r[4] == null ? null : health((String) r[0], r)));
        }
        Object seen = em.createNativeQuery("SELECT last_seen_at FROM device WHERE id = ?1").setParameter(1, d.id).getSingleResult();
        return view(d, installed, seen == null ? null : instant(seen), secret);
    }

    private static DeviceApi.DeviceView view(Device d, List<DeviceApi.Installed> installed, Instant seen, String secret) {
        return new DeviceApi.DeviceView(d.controllerId, d.name, d.description, d.status.wireName(), new TreeSet<>(d.tags),
                new TreeMap<>(d.attributes), installed, seen, d.tokenHint, d.createdAt, d.updatedAt, d.createdBy, secret);
    }

    /** The serving health columns (from the fifth) of an installed model's row. */
    private static ActionHealthView health(String model, Object[] r) {
        long requests = ((Number) r[7]).longValue();
        long errors = ((Number) r[8]).longValue();
        return new ActionHealthView(model, (String) r[4], (String) r[5], ((Number) r[6]).longValue(), requests, errors,
                requests == 0 ? null : (double) errors / requests, number(r[9]), number(r[10]), number(r[11]), number(r[12]),
                (String) r[13], (Boolean) r[14], instant(r[15]));
    }

    private static Double number(Object o) {
        return o == null ? null : ((Number) o).doubleValue();
    }

    static Instant instant(Object o) {
        if (o instanceof Instant i) return i;
        if (o instanceof Timestamp t) return t.toInstant();
        if (o instanceof OffsetDateTime t) return t.toInstant();
        throw new IllegalStateException("unexpected time value " + o);
    }

    static TreeSet<String> tags(Collection<String> tags) {
        TreeSet<String> out = new TreeSet<>();
        if (tags == null) return out;
        for (String t : tags) out.add(Names.require("tags", t));
        return out;
    }

    static Map<String, String> attributes(Map<String, String> in) {
        if (in.size() > MAX_ATTRIBUTES) {
            throw DomainException.field(ErrorCode.INVALID_FIELD, "attributes", "attributes: at most " + MAX_ATTRIBUTES + " keys");
        }
        Map<String, String> out = new TreeMap<>();
        in.forEach((k, v) -> {
            if (k == null || k.isBlank() || k.length() > 128) throw DomainException.field(ErrorCode.INVALID_FIELD, "attributes", "attributes: keys must be 1 to 128 characters");
            if (v != null && v.length() > MAX_ATTRIBUTE_LENGTH) {
                throw DomainException.field(ErrorCode.INVALID_FIELD, "attributes", "attributes: the value of '" + k + "' is longer than " + MAX_ATTRIBUTE_LENGTH);
            }
            out.put(k, v == null ? "" : v);
        });
        return out;
    }
}
