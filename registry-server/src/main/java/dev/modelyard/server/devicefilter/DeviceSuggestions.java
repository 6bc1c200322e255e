package dev.modelyard.server.devicefilter;

import dev.modelyard.server.device.DeviceStatus;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * What a filter builder may offer: the selectors the tenant's fleet actually reports (attribute
 * keys, installed models, tags) with device counts, and for one selector its most common values.
 * Keys and values are counted by scanning the tenant's devices (no index answers "every key"), so
 * each answer is kept per tenant for {@link #TTL} and a builder's keystrokes cost no scan; an older
 * one (up to {@link #STALE}) is still answered at once while one background thread counts again,
 * so only a tenant's first request (or the first after {@link #STALE} without any) waits for a scan.
 * A value prefix is matched in memory against the {@link #MAX_VALUES} most common values of the selector.
 * Values are counted only for an attribute key or installed model the tenant's selector list names
 * (anything else is refused before any scan), and each tenant keeps at most {@link #MAX_CACHED_PER_TENANT}
 * answers, so no tenant's requests can make another's be counted again.
 */
@ApplicationScoped
public class DeviceSuggestions {

    private static final Logger LOG = Logger.getLogger(DeviceSuggestions.class);

    /** How long a tenant's counted keys and values are reused without counting again. */
    static final Duration TTL = Duration.ofSeconds(30);
    /** Until this age a kept answer is still given (and counted again in the background). */
    static final Duration STALE = Duration.ofMinutes(10);
    /** The most common values kept per selector; rarer ones are not suggested. */
    static final int MAX_VALUES = 1000;
    /** Attribute keys listed at most (the most common). */
    static final int MAX_KEYS = 200;
    static final int MAX_LIMIT = 100;
    /** Answers kept per tenant (its selector list bounds what it can ask: the fixed ones, {@link #MAX_KEYS} keys, its models). */
    static final int MAX_CACHED_PER_TENANT = 500;

    static final List<String> TEXT_OPS = List.of("==", "!=", "=in=", "=out=");
    static final List<String> ORDER_OPS = List.of("==", "!=", "=in=", "=out=", "=lt=", "=le=", "=gt=", "=ge=");
    static final List<String> TIME_OPS = List.of("=lt=", "=le=", "=gt=", "=ge=", "==", "!=");

    private final EntityManager em;
    private final TenantContext tenants;
    private final Clock clock;
    private final Map<String, Map<String, Cached<?>>> cache = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "filter-suggestions");
        t.setDaemon(true);
        return t;
    });

    private record Cached<T>(Instant at, T value) {
    }

    public DeviceSuggestions(EntityManager em, TenantContext tenants, Clock clock) {
        this.em = em;
        this.tenants = tenants;
        this.clock = clock;
    }

    /** The selectors: the fixed ones, then attribute keys and installed models by how many devices have them. */
    @Transactional
    public DeviceSuggestionApi.Selectors selectors() {
        String tenant = tenants.current();
        return cached(tenant, "selectors", () -> work(c -> {
            long devices = single(c, "SELECT count(*) FROM device WHERE tenant = ?", tenant);
            long tagged = single(c, "SELECT count(DISTINCT device_id) FROM device_tag WHERE tenant = ?", tenant);
            long seen = single(c, "SELECT count(*) FROM device WHERE tenant = ? AND last_seen_at IS NOT NULL", tenant);
            List<DeviceSuggestionApi.Selector> out = new ArrayList<>();
            out.add(fixed("controllerId", "text", TEXT_OPS, devices, "the device's controller id; * is a wildcard"));
            out.add(fixed("name", "text", TEXT_OPS, null, "the device's name"));
            out.add(fixed("description", "text", TEXT_OPS, null, "the device's description"));
            out.add(fixed("status", "status", TEXT_OPS, devices, "unknown, registered, pending, in_sync or error"));
            out.add(fixed("tag", "tag", TEXT_OPS, tagged, "a tag the device has"));
            out.add(fixed("lastSeen", "time", TIME_OPS, seen, "when the device last polled: -P1D is a day ago"));
            out.add(fixed("createdAt", "time", TIME_OPS, devices, "when the device was registered"));
            for (Object[] row : rows(c, "SELECT k, count(*) FROM device d, jsonb_object_keys(d.attributes) k WHERE d.tenant = ? "
                    + "GROUP BY k ORDER BY count(*) DESC, k LIMIT " + MAX_KEYS, tenant)) {
                out.add(fixed(FilterCompiler.ATTRIBUTE + row[0], "attribute", ORDER_OPS, (Long) row[1],
                        "a value the device reports; ordering compares numbers"));
            }
            for (Object[] row : rows(c, "SELECT m.name, count(*) FROM installed_model i JOIN model m ON m.id = i.model_id "
                    + "WHERE i.tenant = ? GROUP BY m.name ORDER BY count(*) DESC, m.name", tenant)) {
                out.add(fixed(FilterCompiler.INSTALLED + row[0], "installed", ORDER_OPS, (Long) row[1],
                        "the version of this model the device runs, compared as semantic versions"));
            }
            return new DeviceSuggestionApi.Selectors(devices, out, clock.instant());
        }));
    }

    /**
     * Up to {@code limit} values of {@code selector} that start with {@code prefix} (case-insensitive),
     * the most common first, each with its device count; {@code more} when more matched.
     */
    @Transactional
    public DeviceSuggestionApi.Values values(String selector, String prefix, Integer limit) {
        if (selector == null || selector.isBlank()) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "selector",
                    "selector: required, e.g. attribute.arch, tag, status or installed.<model>");
        }
        if (selector.length() > 256) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "selector", "selector: at most 256 characters");
        }
        String p = prefix == null ? "" : prefix;
        if (p.length() > 256) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "prefix", "prefix: at most 256 characters");
        }
        int n = limit == null ? 20 : limit;
        if (n < 1 || n > MAX_LIMIT) {
            throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "limit", "limit: must be between 1 and " + MAX_LIMIT);
        }
        String tenant = tenants.current();
        String lower = selector.toLowerCase(Locale.ROOT);
        Histogram all;
        if (lower.startsWith(FilterCompiler.ATTRIBUTE) && selector.length() > FilterCompiler.ATTRIBUTE.length()) {
            String key = selector.substring(FilterCompiler.ATTRIBUTE.length());
            reported(selector);
            all = cached(tenant, "a\u0000" + key, () -> histogram(
                    "SELECT d.attributes ->> CAST(? AS text), count(*) FROM device d WHERE d.tenant = ? "
                            + "AND d.attributes ->> CAST(? AS text) IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT " + (MAX_VALUES + 1),
                    key, tenant, key));
        } else if (lower.startsWith(FilterCompiler.INSTALLED) && selector.length() > FilterCompiler.INSTALLED.length()) {
            String model = selector.substring(FilterCompiler.INSTALLED.length());
            reported(selector);
            all = cached(tenant, "i\u0000" + model, () -> histogram(
                    "SELECT v.version, count(*) FROM installed_model i JOIN model m ON m.id = i.model_id "
                            + "JOIN model_version v ON v.id = i.version_id WHERE m.tenant = ? AND m.name = ? "
                            + "GROUP BY v.version ORDER BY 2 DESC, 1 LIMIT " + (MAX_VALUES + 1), tenant, model));
        } else {
            all = switch (lower) {
                case "tag", "tag.name" -> cached(tenant, "tag", () -> histogram(
                        "SELECT tag, count(*) FROM device_tag WHERE tenant = ? GROUP BY tag ORDER BY 2 DESC, 1 LIMIT "
                                + (MAX_VALUES + 1), tenant));
                case "status", "updatestatus" -> cached(tenant, "status", () -> statuses(tenant));
                case "name" -> cached(tenant, "name", () -> histogram(
                        "SELECT name, count(*) FROM device WHERE tenant = ? AND name IS NOT NULL GROUP BY name "
                                + "ORDER BY 2 DESC, 1 LIMIT " + (MAX_VALUES + 1), tenant));
                case "controllerid", "id" -> controllerIds(tenant, p, n);
                case "description" -> new Histogram(List.of(), false, clock.instant());
                case "lastseen", "lastcontrollerrequestat", "createdat" -> new Histogram(
                        List.of("-PT5M", "-PT1H", "-P1D", "-P7D", "-P30D").stream()
                                .map(v -> new DeviceSuggestionApi.Value(v, null)).toList(), false, clock.instant());
                default -> throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "selector",
                        "selector: no suggestions for '" + selector + "'" + (FilterCompiler.closest(selector) == null ? ""
                                : "; did you mean '" + FilterCompiler.closest(selector) + "'?"), FilterCompiler.SELECTORS);
            };
        }
        String want = p.toLowerCase(Locale.ROOT);
        List<DeviceSuggestionApi.Value> matching = all.values().stream()
                .filter(v -> v.value().toLowerCase(Locale.ROOT).startsWith(want)).toList();
        boolean more = matching.size() > n || all.truncated();
        return new DeviceSuggestionApi.Values(selector, p, matching.subList(0, Math.min(n, matching.size())), more,
                all.computedAt());
    }

    /**
     * Refuses an attribute or installed selector that is not in the tenant's selector list (its keys and
     * models, counted and kept), so an arbitrary key costs no scan of the fleet.
     */
    private void reported(String selector) {
        boolean known = selectors().selectors().stream().anyMatch(s -> s.selector().equals(selector));
        if (known) return;
        boolean attribute = selector.toLowerCase(Locale.ROOT).startsWith(FilterCompiler.ATTRIBUTE);
        throw DomainException.parameter(ErrorCode.INVALID_PARAMETER, "selector", "selector: '" + selector + "' is "
                + (attribute ? "not an attribute key any device reports (or not among the " + MAX_KEYS + " most common)"
                : "not a model any device has installed")
                + "; GET /api/v1/devices/suggestions lists the selectors values are suggested for", FilterCompiler.SELECTORS);
    }

    /** A selector's values, most common first; {@code truncated}: rarer values were left out. */
    private record Histogram(List<DeviceSuggestionApi.Value> values, boolean truncated, Instant computedAt) {
    }

    private Histogram histogram(String sql, Object... params) {
        return work(c -> {
            List<DeviceSuggestionApi.Value> values = new ArrayList<>();
            for (Object[] row : rows(c, sql, params)) values.add(new DeviceSuggestionApi.Value((String) row[0], (Long) row[1]));
            boolean truncated = values.size() > MAX_VALUES;
            return new Histogram(truncated ? List.copyOf(values.subList(0, MAX_VALUES)) : List.copyOf(values), truncated,
                    clock.instant());
        });
    }

    private Histogram statuses(String tenant) {
        return work(c -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            Arrays.stream(DeviceStatus.values()).forEach(s -> counts.put(s.name(), 0L));
            for (Object[] row : rows(c, "SELECT status, count(*) FROM device WHERE tenant = ? GROUP BY status", tenant)) {
                counts.put((String) row[0], (Long) row[1]);
            }
            List<DeviceSuggestionApi.Value> values = Arrays.stream(DeviceStatus.values())
                    .map(s -> new DeviceSuggestionApi.Value(s.wireName(), counts.get(s.name())))
                    .sorted((a, b) -> Long.compare(b.devices(), a.devices())).toList();
            return new Histogram(values, false, clock.instant());
        });
    }

    /** Controller ids are unique and compared case-sensitively: the first ones in order that start with the prefix (an index range). */
    private Histogram controllerIds(String tenant, String prefix, int limit) {
        return work(c -> {
            List<DeviceSuggestionApi.Value> values = new ArrayList<>();
            for (Object[] row : rows(c, "SELECT controller_id, 1::bigint FROM device WHERE tenant = ? AND controller_id LIKE ? "
                    + "ORDER BY controller_id LIMIT " + (limit + 1), tenant, FilterCompiler.likePattern(prefix) + "%")) {
                values.add(new DeviceSuggestionApi.Value((String) row[0], null));
            }
            return new Histogram(values, false, clock.instant());
        });
    }

    private static DeviceSuggestionApi.Selector fixed(String selector, String kind, List<String> operators, Long devices,
                                                      String description) {
        return new DeviceSuggestionApi.Selector(selector, kind, operators, devices, description);
    }

    /**
     * The kept answer under {@code key} when younger than {@link #TTL}; one younger than {@link #STALE},
     * with a background recount; otherwise counted now. {@code load} must name its tenant itself (it
     * may run outside the request).
     */
    @SuppressWarnings("unchecked")
    private <T> T cached(String tenant, String key, Supplier<T> load) {
        Instant now = clock.instant();
        Map<String, Cached<?>> kept = cache.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
        Cached<?> hit = kept.get(key);
        if (hit != null && hit.at().plus(TTL).isAfter(now)) return (T) hit.value();
        if (hit != null && hit.at().plus(STALE).isAfter(now)) {
            String job = tenant + "\u0000" + key;
            if (refreshing.add(job)) {
                try {
                    refresher.execute(() -> {
                        try {
                            keep(kept, key, QuarkusTransaction.requiringNew().call(load::get));
                        } catch (RuntimeException e) {
                            LOG.debugf(e, "filter suggestions not recounted (%s); the kept ones are given meanwhile", key);
                        } finally {
                            refreshing.remove(job);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    refreshing.remove(job);
                }
            }
            return (T) hit.value();
        }
        T value = load.get();
        keep(kept, key, value);
        return value;
    }

    /** Keeps an answer in its tenant's cache: when full, drops what is past {@link #STALE}, then the oldest. */
    private void keep(Map<String, Cached<?>> kept, String key, Object value) {
        Instant now = clock.instant();
        if (kept.size() >= MAX_CACHED_PER_TENANT && !kept.containsKey(key)) {
            kept.entrySet().removeIf(e -> !e.getValue().at().plus(STALE).isAfter(now));
            while (kept.size() >= MAX_CACHED_PER_TENANT) {
                kept.entrySet().stream().min((a, b) -> a.getValue().at().compareTo(b.getValue().at()))
                        .ifPresent(e -> kept.remove(e.getKey(), e.getValue()));
            }
        }
        kept.put(key, new Cached<>(now, value));
    }

    /** How many answers a tenant keeps now (for tests). */
    int keptFor(String tenant) {
        Map<String, Cached<?>> kept = cache.get(tenant);
        return kept == null ? 0 : kept.size();
    }

    @PreDestroy
    void stop() {
        refresher.shutdownNow();
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T work(Work<T> w) {
        return em.unwrap(Session.class).doReturningWork(w::run);
    }

    private static long single(Connection c, String sql, Object... params) throws SQLException {
        return (Long) rows(c, sql, params).get(0)[0];
    }

    private static List<Object[]> rows(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            List<Object[]> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[columns];
                    for (int i = 0; i < columns; i++) row[i] = rs.getObject(i + 1);
                    out.add(row);
                }
            }
            return out;
        }
    }
}
