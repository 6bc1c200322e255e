package dev.modelyard.server.devicefilter;

import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.hibernate.Session;

/** Compiles device filters and evaluates them in the current tenant. */
@ApplicationScoped
public class DeviceFilters {

    private final EntityManager em;
    private final TenantContext tenants;

    public DeviceFilters(EntityManager em, TenantContext tenants) {
        this.em = em;
        this.tenants = tenants;
    }

    /** The filter compiled; blank is every device. Throws {@link ErrorCode#INVALID_FILTER}. */
    public DeviceFilter compile(String query) {
        if (query == null || query.isBlank()) return DeviceFilter.ALL;
        throw DomainException.of(ErrorCode.INVALID_FILTER, "filter: not compiled yet");
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
}
