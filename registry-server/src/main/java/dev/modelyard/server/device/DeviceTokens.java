package dev.modelyard.server.device;

import dev.modelyard.server.auth.TokenService;
import dev.modelyard.server.config.ModelyardConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
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
 * are cached (at most {@code modelyard.ddi.token-cache-ttl}, at most
 * {@code modelyard.ddi.cache.max-devices} tokens, least recently used dropped first) while the
 * {@link DeviceChangeFeed} is live: a token rotated or deleted on any replica is evicted here when
 * that change commits. While the feed is down every lookup reads the database.
 *
 * <p>Concurrency: the cache is keyed by the token's hash alone (the hash a poll computes anyway, as
 * a compact {@link TokenHash}); the tenant is checked in the cached value, so two tenants holding
 * the same token each get their own device (the one cached for the other tenant is no hit and
 * is replaced on load). An entry is kept only if no change arrived while it was read
 * ({@link DeviceChangeFeed#sequence()}), so an invalidation can never be overtaken by a load.
 */
@ApplicationScoped
public class DeviceTokens {

    static final String PREFIX = "mydt_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** The device a token belongs to. */
    public record DeviceKey(long id, String tenant, String controllerId) {
    }

    /** Token hash → its device. */
    private final Cache<TokenHash, DeviceKey> cache;
    /** Device id → the hash of its cached token, to evict by device. */
    private final Map<Long, TokenHash> byDevice = new ConcurrentHashMap<>();
    private final AgroalDataSource db;
    private final DeviceChangeFeed feed;

    public DeviceTokens(AgroalDataSource db, DeviceChangeFeed feed, ModelyardConfig config) {
        this.db = db;
        this.feed = feed;
        this.cache = Caffeine.newBuilder()
                .maximumSize(config.ddi().cache().maxDevices())
                .expireAfterWrite(config.ddi().tokenCacheTtl())
                // Runs inside the eviction, on the evicting thread: the reverse index never outgrows the cache.
                .<TokenHash, DeviceKey>evictionListener((hash, key, cause) -> {
                    if (hash != null && key != null) byDevice.remove(key.id(), hash);
                })
                .build();
        feed.subscribe(new DeviceChangeFeed.Listener() {
            @Override
            public void changed(long deviceId, boolean tokenChanged) {
                // A new assignment does not change who the token belongs to: keep it.
                if (tokenChanged) {
                    TokenHash hash = byDevice.remove(deviceId);
                    if (hash != null) cache.invalidate(hash);
                }
            }

            @Override
            public void reset() {
                cache.invalidateAll();
                byDevice.clear();
            }
        });
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The SHA-256 of {@code secret} in hex, as stored: the same as {@link TokenService#hash}, without a digest per call. */
    public static String hash(String secret) {
        return HexFormat.of().formatHex(digest(secret));
    }

    static byte[] digest(String secret) {
        return SHA256.get().digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The device of {@code tenant} with this token hash (hex) if it is cached and may be trusted; never blocks. */
    public Optional<DeviceKey> cached(String tenant, String tokenHash) {
        return Optional.ofNullable(cachedKey(tenant, TokenHash.ofHex(tokenHash)));
    }

    /** As {@link #cached}, null when not cached: for the poll's I/O-thread path. */
    public DeviceKey cachedKey(String tenant, TokenHash tokenHash) {
        if (!feed.live()) return null;
        DeviceKey k = cache.getIfPresent(tokenHash);
        return k != null && k.tenant().equals(tenant) ? k : null;
    }

    /** The device of {@code tenant} whose token has this SHA-256 (hex), from the cache or one indexed read. */
    public Optional<DeviceKey> lookup(String tenant, String tokenHashHex) {
        TokenHash tokenHash = TokenHash.ofHex(tokenHashHex);
        DeviceKey hit = cachedKey(tenant, tokenHash);
        if (hit != null) return Optional.of(hit);
        long seen = feed.sequence();
        Optional<DeviceKey> found = load(tenant, tokenHashHex);
        if (found.isPresent() && feed.live()) {
            remember(tokenHash, found.get());
            // A change delivered while we read may concern this very token: do not keep it.
            if (feed.sequence() != seen) invalidate(tokenHash);
        } else {
            DeviceKey stale = cache.getIfPresent(tokenHash);
            if (stale != null && stale.tenant().equals(tenant)) invalidate(tokenHash);
        }
        return found;
    }

    private void remember(TokenHash tokenHash, DeviceKey key) {
        cache.put(tokenHash, key);
        // A device has one token: another hash cached for it is a token that was replaced.
        TokenHash previous = byDevice.put(key.id(), tokenHash);
        if (previous != null && !previous.equals(tokenHash)) cache.invalidate(previous);
    }

    /** Forgets {@code tenant}'s token with this hash (replaced or deleted on this replica). */
    public void invalidate(String tenant, String tokenHashHex) {
        TokenHash tokenHash = TokenHash.ofStored(tokenHashHex);
        if (tokenHash == null) return;
        DeviceKey k = cache.getIfPresent(tokenHash);
        if (k == null || k.tenant().equals(tenant)) invalidate(tokenHash);
    }

    private void invalidate(TokenHash tokenHash) {
        DeviceKey k = cache.asMap().remove(tokenHash);
        if (k != null) byDevice.remove(k.id(), tokenHash);
    }

    /**
     * The hash object the index holds for this device's token, if it holds one: the poll cache
     * keeps that same object rather than an equal copy (48 bytes a device at a million).
     */
    public TokenHash heldHash(long deviceId) {
        return byDevice.get(deviceId);
    }

    /** Tokens cached now (for tests and the cache-size measurement). */
    public long cachedTokens() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private Optional<DeviceKey> load(String tenant, String tokenHash) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, tenant, controller_id FROM device WHERE tenant = ? AND token_hash = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, tokenHash);
            try (ResultSet rs = ps.executeQuery()) {
                // Tenants are few: one String per tenant, not one per cached device.
                return rs.next() ? Optional.of(new DeviceKey(rs.getLong(1), rs.getString(2).intern(), rs.getString(3)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("device token lookup failed", e);
        }
    }
}
