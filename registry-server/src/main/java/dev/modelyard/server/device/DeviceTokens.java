package dev.modelyard.server.device;

import dev.modelyard.server.auth.TokenService;
import dev.modelyard.server.config.ModelyardConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * Device tokens: generation, and the lookup of a presented token's hash to its device. A token is
 * unique within its tenant only, so it is looked up by the tenant the DDI path names. Lookups
 * are cached (at most {@code modelyard.ddi.token-cache-ttl}, at most
 * {@code modelyard.ddi.cache.max-devices} tokens, those not used lately dropped first) while the
 * {@link DeviceChangeFeed} is live: a token rotated or deleted on any replica is evicted here when
 * that change commits. While the feed is down every lookup reads the database.
 *
 * <p>Concurrency: the cache is a {@link LongTable} keyed by the first word of the token's hash
 * (the hash a poll computes anyway, as a compact {@link TokenHash}; SHA-256's bits are uniform);
 * the whole hash and the tenant are checked in the cached value, so two tenants holding the same
 * token each get their own device (the one cached for the other tenant is no hit and is replaced
 * on load). An entry is kept only if no change arrived while it was read
 * ({@link DeviceChangeFeed#sequence()}), so an invalidation can never be overtaken by a load.
 * The reverse index (device → the hash cached for it) is changed after the cache, and an entry
 * the cache drops is removed from it by the eviction listener, so it never holds more than the
 * cache does for long.
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

    /** The device a token belongs to, and the hash of that token. */
    public record DeviceKey(long id, String tenant, String controllerId, TokenHash tokenHash) {
    }

    /** First word of the token hash → its device; the number is when the entry expires (epoch ms). */
    private final LongTable<DeviceKey> cache;
    /** Device id → the hash of its cached token, to evict by device. */
    private final LongTable<TokenHash> byDevice = LongTable.unboundedValues();
    private final AgroalDataSource db;
    private final DeviceChangeFeed feed;
    private final Clock clock;
    private final long ttlMillis;

    public DeviceTokens(AgroalDataSource db, DeviceChangeFeed feed, ModelyardConfig config, Clock clock) {
        this.db = db;
        this.feed = feed;
        this.clock = clock;
        this.ttlMillis = config.ddi().tokenCacheTtl().toMillis();
        // Runs within the eviction (under the cache segment's lock, before a load of the same token
        // can put it back): the reverse index never outgrows the cache, nor loses a cached token.
        this.cache = LongTable.bounded(config.ddi().cache().maxDevices(), (w0, key, expires) -> byDevice.remove(key.id(), key.tokenHash()));
        feed.subscribe(new DeviceChangeFeed.Listener() {
            @Override
            public void changed(long deviceId, boolean tokenChanged) {
                // A new assignment does not change who the token belongs to: keep it.
                if (tokenChanged) {
                    TokenHash hash = byDevice.remove(deviceId);
                    if (hash != null) invalidate(hash);
                }
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
        DeviceKey k = cache.getIfNumberAbove(tokenHash.w0(), clock.millis());
        return k != null && k.tokenHash().equals(tokenHash) && k.tenant().equals(tenant) ? k : null;
    }

    /** The entry cached for this hash (of any tenant, expired or not); null when none. */
    private DeviceKey held(TokenHash tokenHash) {
        DeviceKey k = cache.get(tokenHash.w0());
        return k != null && k.tokenHash().equals(tokenHash) ? k : null;
    }

    /** The device of {@code tenant} whose token has this SHA-256 (hex), from the cache or one indexed read. */
    public Optional<DeviceKey> lookup(String tenant, String tokenHashHex) {
        TokenHash tokenHash = TokenHash.ofHex(tokenHashHex);
        DeviceKey hit = cachedKey(tenant, tokenHash);
        if (hit != null) return Optional.of(hit);
        long seen = feed.sequence();
        Optional<DeviceKey> found = load(tenant, tokenHash, tokenHashHex);
        if (found.isPresent() && feed.live()) {
            remember(tokenHash, found.get());
            // A change delivered while we read may concern this very token: do not keep it.
            if (feed.sequence() != seen) invalidate(tokenHash);
        } else {
            DeviceKey stale = held(tokenHash);
            if (stale != null && stale.tenant().equals(tenant)) invalidate(tokenHash);
        }
        return found;
    }

    private void remember(TokenHash tokenHash, DeviceKey key) {
        DeviceKey replaced = cache.put(tokenHash.w0(), key, clock.millis() + ttlMillis);
        if (replaced != null && replaced.id() != key.id()) byDevice.remove(replaced.id(), replaced.tokenHash());
        // A device has one token: another hash cached for it is a token that was replaced.
        TokenHash previous = byDevice.put(key.id(), tokenHash);
        if (previous != null && !previous.equals(tokenHash)) invalidate(previous);
    }

    /** Forgets {@code tenant}'s token with this hash (replaced or deleted on this replica). */
    public void invalidate(String tenant, String tokenHashHex) {
        TokenHash tokenHash = TokenHash.ofStored(tokenHashHex);
        if (tokenHash == null) return;
        DeviceKey k = held(tokenHash);
        if (k == null || k.tenant().equals(tenant)) invalidate(tokenHash);
    }

    private void invalidate(TokenHash tokenHash) {
        DeviceKey k = held(tokenHash);
        if (k != null && cache.remove(tokenHash.w0(), k)) byDevice.remove(k.id(), k.tokenHash());
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
        return cache.size();
    }

    private Optional<DeviceKey> load(String tenant, TokenHash tokenHash, String tokenHashHex) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, tenant, controller_id FROM device WHERE tenant = ? AND token_hash = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, tokenHashHex);
            try (ResultSet rs = ps.executeQuery()) {
                // Tenants are few: one String per tenant, not one per cached device.
                return rs.next() ? Optional.of(new DeviceKey(rs.getLong(1), rs.getString(2).intern(), rs.getString(3), tokenHash))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("device token lookup failed", e);
        }
    }
}
