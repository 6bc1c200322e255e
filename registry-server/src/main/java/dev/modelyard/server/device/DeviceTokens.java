package dev.modelyard.server.device;

import dev.modelyard.server.auth.TokenService;
import dev.modelyard.server.config.ModelyardConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Device tokens: generation, and the lookup of a presented token's hash to its device, cached
 * for {@code modelyard.ddi.token-cache-ttl}. A replica that rotates or deletes a token drops its
 * own entry at once; other replicas stop accepting the old token on the next request anyway,
 * because the DDI API compares the token hash with the device row it reads by primary key
 * ({@link DeviceState}).
 */
@ApplicationScoped
public class DeviceTokens {

    static final String PREFIX = "mydt_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_ENTRIES = 200_000;

    /** The device a token belongs to. */
    public record DeviceKey(long id, String tenant, String controllerId) {
    }

    private record Entry(DeviceKey key, long expiresAtNanos) {
    }

    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    private final AgroalDataSource db;
    private final long ttlNanos;

    public DeviceTokens(AgroalDataSource db, ModelyardConfig config) {
        this.db = db;
        this.ttlNanos = config.ddi().tokenCacheTtl().toNanos();
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String secret) {
        return TokenService.hash(secret);
    }

    /** The device whose token has this SHA-256, from the cache or one indexed read. */
    public Optional<DeviceKey> lookup(String tokenHash) {
        long now = System.nanoTime();
        Entry e = cache.get(tokenHash);
        if (e != null && now - e.expiresAtNanos < 0) {
            return Optional.of(e.key);
        }
        Optional<DeviceKey> found = load(tokenHash);
        if (found.isPresent()) {
            if (cache.size() >= MAX_ENTRIES) {
                cache.values().removeIf(x -> now - x.expiresAtNanos >= 0);
                if (cache.size() >= MAX_ENTRIES) cache.clear();
            }
            cache.put(tokenHash, new Entry(found.get(), now + ttlNanos));
        } else {
            cache.remove(tokenHash);
        }
        return found;
    }

    public void invalidate(String tokenHash) {
        if (tokenHash != null) cache.remove(tokenHash);
    }

    private Optional<DeviceKey> load(String tokenHash) {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, tenant, controller_id FROM device WHERE token_hash = ?")) {
            ps.setString(1, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new DeviceKey(rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("device token lookup failed", e);
        }
    }
}
