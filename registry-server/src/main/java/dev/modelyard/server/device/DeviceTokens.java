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
 * Device tokens: generation, and the lookup of a presented token's hash to its device. A token is
 * unique within its tenant only, so it is looked up by the tenant the DDI path names. Lookups
 * are cached (at most {@code modelyard.ddi.token-cache-ttl}) while the {@link DeviceChangeFeed}
 * is live: a token rotated or deleted on any replica is evicted here when that change commits.
 * While the feed is down every lookup reads the database.
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

    /** Keyed by {@link #key tenant and token hash}. */
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    /** Device id → the cache key of its token, to evict by device. */
    private final Map<Long, String> byDevice = new ConcurrentHashMap<>();
    private final AgroalDataSource db;
    private final DeviceChangeFeed feed;
    private final long ttlNanos;

    public DeviceTokens(AgroalDataSource db, DeviceChangeFeed feed, ModelyardConfig config) {
        this.db = db;
        this.feed = feed;
        this.ttlNanos = config.ddi().tokenCacheTtl().toNanos();
        feed.subscribe(new DeviceChangeFeed.Listener() {
            @Override
            public void changed(long deviceId, boolean tokenChanged) {
                // A new assignment does not change who the token belongs to: keep it.
                if (tokenChanged) invalidate(byDevice.remove(deviceId));
            }

            @Override
            public void reset() {
                cache.clear();
                byDevice.clear();
            }
        });
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String secret) {
        return TokenService.hash(secret);
    }

    /** The device of {@code tenant} with this token hash if it is cached and may be trusted; never blocks. */
    public Optional<DeviceKey> cached(String tenant, String tokenHash) {
        if (!feed.live()) return Optional.empty();
        Entry e = cache.get(key(tenant, tokenHash));
        return e != null && System.nanoTime() - e.expiresAtNanos < 0 ? Optional.of(e.key) : Optional.empty();
    }

    /** The device of {@code tenant} whose token has this SHA-256, from the cache or one indexed read. */
    public Optional<DeviceKey> lookup(String tenant, String tokenHash) {
        Optional<DeviceKey> hit = cached(tenant, tokenHash);
        if (hit.isPresent()) return hit;
        String key = key(tenant, tokenHash);
        long seen = feed.sequence();
        Optional<DeviceKey> found = load(tenant, tokenHash);
        if (found.isPresent() && feed.live()) {
            remember(key, found.get());
            // A change delivered while we read may concern this very token: do not keep it.
            if (feed.sequence() != seen) invalidate(key);
        } else {
            cache.remove(key);
        }
        return found;
    }

    /** Two tenants may hold the same token: the tenant is part of what is cached. */
    private static String key(String tenant, String tokenHash) {
        return tenant + "/" + tokenHash;
    }

    private void remember(String cacheKey, DeviceKey key) {
        long now = System.nanoTime();
        if (cache.size() >= MAX_ENTRIES) {
            cache.entrySet().removeIf(x -> {
                boolean expired = now - x.getValue().expiresAtNanos >= 0;
                if (expired) byDevice.remove(x.getValue().key().id(), x.getKey());
                return expired;
            });
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
                byDevice.clear();
            }
        }
        cache.put(cacheKey, new Entry(key, now + ttlNanos));
        // A device has one token: another hash cached for it is a token that was replaced.
        String previous = byDevice.put(key.id(), cacheKey);
        if (previous != null && !previous.equals(cacheKey)) cache.remove(previous);
    }

    /** Forgets {@code tenant}'s token with this hash (replaced or deleted on this replica). */
    public void invalidate(String tenant, String tokenHash) {
        if (tokenHash != null) invalidate(key(tenant, tokenHash));
    }

    private void invalidate(String cacheKey) {
        if (cacheKey == null) return;
        Entry e = cache.remove(cacheKey);
        if (e != null) byDevice.remove(e.key().id(), cacheKey);
    }

    private Optional<DeviceKey> load(String tenant, String tokenHash) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, tenant, controller_id FROM device WHERE tenant = ? AND token_hash = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new DeviceKey(rs.getLong(1), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("device token lookup failed", e);
        }
    }
}
