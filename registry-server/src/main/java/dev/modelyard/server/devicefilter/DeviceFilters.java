package dev.modelyard.server.devicefilter;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hibernate.Session;

/**
 * Compiles device filters and evaluates them in the current tenant. The language is described in
 * {@link FilterSyntax} (grammar) and {@link FilterCompiler} (selectors and their SQL).
 */
@ApplicationScoped
public class DeviceFilters {

    /** A bare word in the device list's {@code q}: a controller id prefix, as that parameter always meant. */
    private static final Pattern BARE_PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final EntityManager em;
    private final TenantContext tenants;
    private final Clock clock;

    public DeviceFilters(EntityManager em, TenantContext tenants, Clock clock) {
        this.em = em;
        this.tenants = tenants;
        this.clock = clock;
    }

    /**
     * The filter compiled; blank is every device. Throws {@link ErrorCode#INVALID_FILTER} about the
     * query parameter {@code q}, with the offset of the bad token. Names models of the current tenant.
     */
    public DeviceFilter compile(String query) {
        return compile(query, "q", null);
    }

    /** As {@link #compile(String)}, for a filter that came in the body field {@code field}. */
    public DeviceFilter compileField(String query, String field) {
        return compile(query, null, field);
    }

    /**
     * The device list's {@code q}: a filter, or a bare word (no operator), which matches the
     * controller ids that start with it, as {@code q} did before filters existed.
     */
    public DeviceFilter compileSearch(String query) {
        if (query != null && BARE_PREFIX.matcher(query.strip()).matches()) {
            String prefix = query.strip();
            return new DeviceFilter(query, "d.controller_id LIKE ?", List.of(FilterCompiler.likePattern(prefix) + "%"));
        }
        return compile(query);
    }

    private DeviceFilter compile(String query, String parameter, String field) {
        if (query == null || query.isBlank()) return DeviceFilter.ALL;
        try {
            return FilterCompiler.compile(query, this::model, clock.instant());
        } catch (FilterError e) {
            String where = parameter != null ? parameter : field;
            throw DomainException.at(ErrorCode.INVALID_FILTER, parameter, field, e.offset(), where + ": " + e.getMessage(), e.accepted());
        }
    }

    /** Both filters must match. */
    public static DeviceFilter and(DeviceFilter a, DeviceFilter b) {
        if (a == DeviceFilter.ALL) return b;
        if (b == DeviceFilter.ALL) return a;
        List<Object> params = new ArrayList<>(a.params());
        params.addAll(b.params());
        return new DeviceFilter("(" + a.query() + ");(" + b.query() + ")", "(" + a.sql() + ") AND (" + b.sql() + ")", params);
    }

    /** How many devices of the current tenant match. Call in a transaction. */
    public long count(DeviceFilter f) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM device d WHERE d.tenant = ? AND (" + f.sql() + ")")) {
                ps.setString(1, tenants.current());
                f.bind(c, ps, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Whether the device (of the current tenant) matches. Call in a transaction. */
    public boolean matches(DeviceFilter f, long deviceId) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM device d WHERE d.tenant = ? AND d.id = ? AND (" + f.sql() + ")")) {
                ps.setString(1, tenants.current());
                ps.setLong(2, deviceId);
                f.bind(c, ps, 3);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * The ids of matching devices of the current tenant in controller-id order, {@code limit} from
     * {@code offset}. Call in a transaction.
     */
    public List<Long> ids(DeviceFilter f, long offset, int limit) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT d.id FROM device d WHERE d.tenant = ? AND (" + f.sql()
                    + ") ORDER BY d.controller_id LIMIT ? OFFSET ?")) {
                ps.setString(1, tenants.current());
                int i = f.bind(c, ps, 2);
                ps.setInt(i, limit);
                ps.setLong(i + 1, offset);
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) ids.add(rs.getLong(1));
                }
                return ids;
            }
        });
    }

    /** The model and its versions, in the current tenant (native SQL names the tenant). */
    private Optional<FilterCompiler.ModelVersions> model(String name) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            long modelId;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM model WHERE tenant = ? AND name = ?")) {
                ps.setString(1, tenants.current());
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.empty();
                    modelId = rs.getLong(1);
                }
            }
            List<FilterCompiler.VersionRow> versions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, version FROM model_version WHERE tenant = ? AND model_id = ?")) {
                ps.setString(1, tenants.current());
                ps.setLong(2, modelId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) versions.add(new FilterCompiler.VersionRow(rs.getLong(1), rs.getString(2)));
                }
            }
            return Optional.of(new FilterCompiler.ModelVersions(modelId, versions));
        });
    }
}
