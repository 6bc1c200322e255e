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
 * Device tokens: generation, and the lookup of a presented token's hash to its device. Lookups
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

    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    /** Device id → the token hash cached for it, to evict by device. */
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

    /** The device of this token hash if it is cached and may be trusted; never blocks. */
    public Optional<DeviceKey> cached(String tokenHash) {
        if (!feed.live()) return Optional.empty();
        Entry e = cache.get(tokenHash);
        return e != null && System.nanoTime() - e.expiresAtNanos < 0 ? Optional.of(e.key) : Optional.empty();
    }

    /** The device whose token has this SHA-256, from the cache or one indexed read. */
    public Optional<DeviceKey> lookup(String tokenHash) {
        Optional<DeviceKey> hit = cached(tokenHash);
        if (hit.isPresent()) return hit;
        long seen = feed.sequence();
        Optional<DeviceKey> found = load(tokenHash);
        if (found.isPresent() && feed.live()) {
            remember(tokenHash, found.get());
            // A change delivered while we read may concern this very token: do not keep it.
            if (feed.sequence() != seen) invalidate(tokenHash);
        } else {
            cache.remove(tokenHash);
        }
        return found;
    }

    private void remember(String tokenHash, DeviceKey key) {
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
        cache.put(tokenHash, new Entry(key, now + ttlNanos));
        // A device has one token: another hash cached for it is a token that was replaced.
        String previous = byDevice.put(key.id(), tokenHash);
        if (previous != null && !previous.equals(tokenHash)) cache.remove(previous);
    }

    public void invalidate(String tokenHash) {
        if (tokenHash == null) return;
        Entry e = cache.remove(tokenHash);
        if (e != null) byDevice.remove(e.key().id(), tokenHash);
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
