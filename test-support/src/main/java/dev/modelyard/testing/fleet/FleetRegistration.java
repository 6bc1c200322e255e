package dev.modelyard.testing.fleet;

import dev.modelyard.client.Devices;
import dev.modelyard.client.ModelyardClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Registers simulated devices with the server: through the management API (as tests do, one
 * request per device), or with SQL for a benchmark's 100,000 devices (the rows
 * {@code POST /api/v1/devices} writes, with known tokens {@code tok-<controllerId>}).
 */
public final class FleetRegistration {

    private FleetRegistration() {
    }

    /**
     * Registers {@code count} devices {@code <prefix>-1 … <prefix>-<count>} through the API with
     * these attributes and tags; the answers carry their tokens.
     */
    public static List<DeviceSpec> viaApi(ModelyardClient client, String tenant, String prefix, int count,
                                          Map<String, String> attributes, Set<String> tags) {
        List<DeviceSpec> specs = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            specs.add(viaApi(client, tenant, prefix + "-" + i, attributes, tags));
        }
        return specs;
    }

    /** Registers one device through the API. */
    public static DeviceSpec viaApi(ModelyardClient client, String tenant, String controllerId,
                                    Map<String, String> attributes, Set<String> tags) {
        Devices.Device d = client.devices().create(new Devices.NewDevice(controllerId, null, null, tags, attributes));
        return new DeviceSpec(tenant, controllerId, d.token(), attributes);
    }

    /** The token {@link #viaSql} gives a device. */
    public static String sqlToken(String controllerId) {
        return "tok-" + controllerId;
    }

    /**
     * Inserts {@code count} devices {@code <prefix>-1 …} in one statement, with tokens
     * {@link #sqlToken}, the attributes already reported (the server will not ask for configData)
     * and each tag. Commits when the connection auto-commits.
     */
    public static List<DeviceSpec> viaSql(Connection c, String tenant, String prefix, int count,
                                          Map<String, String> attributes, Set<String> tags) throws SQLException {
        String attributesJson = json(attributes);
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO device (tenant, controller_id, token_hash, token_hint, status, attributes,
                                    attributes_requested, created_at, updated_at)
                SELECT ?, ? || '-' || i, encode(sha256(convert_to('tok-' || ? || '-' || i, 'UTF8')), 'hex'), 'tok-',
                       'REGISTERED', ?::jsonb, false, now(), now()
                FROM generate_series(1, ?) AS i""")) {
            ps.setString(1, tenant);
            ps.setString(2, prefix);
            ps.setString(3, prefix);
            ps.setString(4, attributesJson);
            ps.setInt(5, count);
            ps.executeUpdate();
        }
        for (String tag : tags) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO device_tag (device_id, tag)
                    SELECT id, ? FROM device WHERE tenant = ? AND controller_id ~ ('^' || ? || '-[0-9]+$')""")) {
                ps.setString(1, tag);
                ps.setString(2, tenant);
                ps.setString(3, prefix);
                ps.executeUpdate();
            }
        }
        List<DeviceSpec> specs = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            String id = prefix + "-" + i;
            specs.add(new DeviceSpec(tenant, id, sqlToken(id), attributes));
        }
        return specs;
    }

    /** SHA-256 of a token as the device table stores it. */
    public static String tokenHash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Map<String, String> attributes) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (b.length() > 1) b.append(',');
            b.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        }
        return b.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') b.append('\\').append(ch);
            else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
            else b.append(ch);
        }
        return b.append('"').toString();
    }
}
