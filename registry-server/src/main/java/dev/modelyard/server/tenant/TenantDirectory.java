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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * What authentication needs to know about a tenant, on every request: whether it exists and is
 * enabled, and its gateway token. Read with plain JDBC (authentication runs before any tenant is
 * known, so it cannot use the tenant-scoped ORM) and cached briefly; a change made on this replica
 * is seen at once, one made on another within {@link #TTL}.
 *
 * <p>A tenant in use never drops out of the cache: a read through {@link #cached} of an entry past
 * {@link #REFRESH_AFTER} reads it again in the background (once at a time per tenant), and the
 * entry in hand stays valid until then. Without that, every {@link #TTL} all polls in flight
 * found the tenant expired at once, left the I/O-thread path and each read the database.
 *
 * <p>Concurrency: the cache is a concurrent map of immutable entries. An entry read before an
 * {@link #invalidate} is not stored after it: each store checks that no invalidation happened
 * since its read began.
 */
@ApplicationScoped
public class TenantDirectory {

    /** How long another replica's change (e.g. disabling a tenant) may go unnoticed. */
    static final Duration TTL = Duration.ofSeconds(5);
    /** From this age on, a read of an entry refreshes it in the background. */
    static final Duration REFRESH_AFTER = TTL.dividedBy(2);
    private static final Logger LOG = Logger.getLogger(TenantDirectory.class);

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

    private record Cached(Optional<Entry> entry, long readAtNanos) {

        boolean fresh(long now) {
            return now - readAtNanos < TTL.toNanos();
        }

        boolean refreshDue(long now) {
            return now - readAtNanos >= REFRESH_AFTER.toNanos();
        }
    }

    private final Function<String, Optional<Entry>> loader;
    private final Executor background;
    private final LongSupplier nanoTime;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Tenants whose background refresh is under way. */
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    /** Counts invalidations: a read that saw another count than the one at its store is not stored. */
    private final AtomicLong invalidations = new AtomicLong();

    @Inject
    public TenantDirectory(AgroalDataSource db, ExecutorService background) {
        this(reader(db), background, System::nanoTime);
    }

    /** With the database read, the executor of background refreshes and the clock given (tests). */
    TenantDirectory(Function<String, Optional<Entry>> loader, Executor background, LongSupplier nanoTime) {
        this.loader = loader;
        this.background = background;
        this.nanoTime = nanoTime;
    }

    public Optional<Entry> find(String id) {
        if (!Tenants.isValidId(id)) return Optional.empty();
        Cached c = cache.get(id);
        if (c != null && c.fresh(nanoTime.getAsLong())) return c.entry;
        return read(id);
    }

    /**
     * What is cached about a tenant, without reading the database; empty when nothing fresh is.
     * For the I/O thread: an entry due for refresh is read again in the background.
     */
    public Optional<Optional<Entry>> cached(String id) {
        if (!Tenants.isValidId(id)) return Optional.of(Optional.empty());
        Cached c = cache.get(id);
        long now = nanoTime.getAsLong();
        if (c == null || !c.fresh(now)) return Optional.empty();
        if (c.refreshDue(now)) refreshInBackground(id);
        return Optional.of(c.entry);
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
        invalidations.incrementAndGet();
        cache.remove(id);
    }

    /** Reads the tenant and caches what was read, unless an invalidation came in meanwhile. */
    private Optional<Entry> read(String id) {
        long invalidated = invalidations.get();
        long at = nanoTime.getAsLong();
        Optional<Entry> e = loader.apply(id);
        if (cache.size() > 10_000) cache.clear();
        cache.put(id, new Cached(e, at));
        // Checked after the store, so that an invalidation between the read and the store is never lost.
        if (invalidations.get() != invalidated) cache.remove(id);
        return e;
    }

    private void refreshInBackground(String id) {
        // Read first: every poll in the meantime comes here, and a lookup takes no lock.
        if (refreshing.contains(id) || !refreshing.add(id)) return;
        try {
            background.execute(() -> {
                try {
                    read(id);
                } catch (RuntimeException e) {
                    // The entry in hand expires as usual; the next read after that reports the failure.
                    LOG.debugf(e, "background refresh of tenant %s failed", id);
                } finally {
                    refreshing.remove(id);
                }
            });
        } catch (RejectedExecutionException e) {
            refreshing.remove(id);
        }
    }

    /** The database read of a tenant's entry. */
    static Function<String, Optional<Entry>> reader(AgroalDataSource db) {
        return id -> load(db, id);
    }

    private static Optional<Entry> load(AgroalDataSource db, String id) {
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
