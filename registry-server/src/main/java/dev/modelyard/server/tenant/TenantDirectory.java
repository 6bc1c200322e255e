package dev.modelyard.server.tenant;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What authentication needs to know about a tenant, on every request: whether it exists and is
 * enabled, and its gateway token. Read with plain JDBC (authentication runs before any tenant is
 * known, so it cannot use the tenant-scoped ORM) and cached briefly; a change made on this replica
 * is seen at once, one made on another within {@link #TTL}.
 */
@ApplicationScoped
public class TenantDirectory {

    /** How long another replica's change (e.g. disabling a tenant) may go unnoticed. */
    static final Duration TTL = Duration.ofSeconds(5);

    /** A tenant as authentication sees it. */
    public record Entry(String id, boolean enabled, String gatewayTokenHash, Duration pollingInterval,
                        Long maxUploadBytes) {

        public boolean acceptsGatewayToken(String token) {
            return gatewayTokenHash != null && MessageDigest.isEqual(
                    gatewayTokenHash.getBytes(StandardCharsets.US_ASCII), sha256(token).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static String sha256(String secret) {
        try {
            return java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Cached(Optional<Entry> entry, long expiresAtNanos) {
    }

    private final AgroalDataSource db;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public TenantDirectory(AgroalDataSource db) {
        this.db = db;
    }

    public Optional<Entry> find(String id) {
        if (!Tenants.isValidId(id)) return Optional.empty();
        long now = System.nanoTime();
        Cached c = cache.get(id);
        if (c != null && c.expiresAtNanos - now > 0) return c.entry;
        Optional<Entry> e = load(id);
        if (cache.size() > 10_000) cache.clear();
        cache.put(id, new Cached(e, now + TTL.toNanos()));
        return e;
    }

    /** What is cached about a tenant, without reading the database; empty when nothing fresh is. */
    public Optional<Optional<Entry>> cached(String id) {
        if (!Tenants.isValidId(id)) return Optional.of(Optional.empty());
        Cached c = cache.get(id);
        return c != null && c.expiresAtNanos - System.nanoTime() > 0 ? Optional.of(c.entry) : Optional.empty();
    }

    /**
     * The last entry read for a tenant, however old: for code on an I/O thread that must not wait
     * for the database (authentication of the same request has just refreshed it).
     */
    public Optional<Entry> latest(String id) {
        Cached c = cache.get(id);
        return c == null ? Optional.empty() : c.entry;
    }

    /** Forgets what this replica cached about a tenant: called after changing it. */
    public void invalidate(String id) {
        cache.remove(id);
    }

    private Optional<Entry> load(String id) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT enabled, gateway_token_hash, polling_interval, max_upload_bytes FROM tenant WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                String interval = rs.getString(3);
                long max = rs.getLong(4);
                Long maxUpload = rs.wasNull() ? null : max;
                return Optional.of(new Entry(id, rs.getBoolean(1), rs.getString(2),
                        interval == null ? null : Duration.parse(interval), maxUpload));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("tenant lookup failed", e);
        }
    }
}
