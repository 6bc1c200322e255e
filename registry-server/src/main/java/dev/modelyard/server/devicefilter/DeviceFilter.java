package dev.modelyard.server.devicefilter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A compiled device filter: {@code sql} is a condition over the device table aliased {@code d}
 * (it never names the tenant: callers add {@code d.tenant = ?}), with its parameters in order.
 *
 * @param query  the filter as written
 * @param params String, Long, Boolean, java.sql.Timestamp, Long[] (bigint[]) or String[] (text[])
 */
public record DeviceFilter(String query, String sql, List<Object> params) {

    /** Every device. */
    public static final DeviceFilter ALL = new DeviceFilter("", "true", List.of());

    public DeviceFilter {
        params = List.copyOf(params);
    }

    /** Binds the parameters from index {@code first}; returns the index after the last. */
    public int bind(Connection c, PreparedStatement ps, int first) throws SQLException {
        int i = first;
        for (Object p : params) {
            if (p instanceof Long[] a) ps.setArray(i++, c.createArrayOf("bigint", a));
            else if (p instanceof String[] a) ps.setArray(i++, c.createArrayOf("text", a));
            else ps.setObject(i++, p);
        }
        return i;
    }
}
