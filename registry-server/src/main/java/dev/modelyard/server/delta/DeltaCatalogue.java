package dev.modelyard.server.delta;

import dev.modelyard.server.storage.Digests;
import dev.modelyard.server.tenant.TenantContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hibernate.Session;
import org.jboss.logging.Logger;

/**
 * {@link DeltaOffers} over the {@code artifact_delta} table: reads ready rows for offers and
 * downloads, and queues a build (a {@code PENDING} row) when a device could have used a delta
 * that does not exist yet. Native SQL that names the tenant: the rows belong to the builders too,
 * which run across replicas.
 */
@ApplicationScoped
public class DeltaCatalogue implements DeltaOffers {

    private static final Logger LOG = Logger.getLogger(DeltaCatalogue.class);

    /** Ready deltas of the target that a device with these bases and formats could use: the compressed full file too. */
    static final String READY = """
            SELECT d.id, d.base_sha256, d.method, d.format, d.size, d.blob_sha256, a.size
            FROM artifact_delta d JOIN artifact a ON a.id = d.target_artifact_id AND a.tenant = d.tenant
            WHERE d.tenant = ? AND d.target_artifact_id = ? AND d.status = 'READY' AND d.format = ANY(?)
              AND (d.base_sha256 IS NULL OR d.base_sha256 = ANY(?))""";

    static final String BY_ID = """
            SELECT d.id, d.base_sha256, d.method, d.format, d.size, d.blob_sha256
            FROM artifact_delta d
            WHERE d.tenant = ? AND d.target_artifact_id = ? AND d.id = ? AND d.status = 'READY'""";

    /** The bases that already have a row in any state: built, queued, useless or failed, none is asked for again. */
    static final String KNOWN_BASES = """
            SELECT base_sha256 FROM artifact_delta
            WHERE tenant = ? AND target_artifact_id = ? AND base_sha256 = ANY(?)""";

    /**
     * A build request per base that is the content of an artifact of the target's model in the
     * target's tenant: a device names only digests, and must never make the server read an
     * arbitrary blob (another model's, another tenant's) as a base; that the device was given
     * the file is the caller's check ({@link DeltaOffers#demand}). Same format and precision as
     * the target only. The base's artifact is recorded as lineage (the newest with those bytes).
     * As the planner, none for a target below {@code min-size}. The unique pair index makes a race with another request a no-op.
     */
    static final String DEMAND = """
            INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, base_artifact_id, status,
                                        requested_by, target_size, not_before, created_at)
            SELECT gen_random_uuid(), t.tenant, t.id, b.sha256, b.id, 'PENDING', 'demand', t.size, ?, ?
            FROM artifact t
            JOIN model_version tv ON tv.id = t.version_id
            JOIN LATERAL (SELECT DISTINCT ON (a.sha256) a.sha256, a.id
                          FROM artifact a JOIN model_version v ON v.id = a.version_id
                          WHERE a.tenant = t.tenant AND v.model_id = tv.model_id AND a.sha256 = ANY(?)
                            AND a.sha256 <> t.sha256 AND a.format = t.format AND a.precision = t.precision
                          ORDER BY a.sha256, a.created_at DESC, a.id) b ON true
            WHERE t.tenant = ? AND t.id = ? AND t.size >= ?
            ON CONFLICT DO NOTHING""";

    private final EntityManager em;
    private final TenantContext tenants;
    private final DeltaConfig config;
    private final DeltaWorkers workers;
    private final Clock clock;

    public DeltaCatalogue(EntityManager em, TenantContext tenants, DeltaConfig config, DeltaWorkers workers, Clock clock) {
        this.em = em;
        this.tenants = tenants;
        this.config = config;
        this.workers = workers;
        this.clock = clock;
    }

    /** A ready row and the size of the file it rebuilds. */
    private record Ready(Offer offer, long targetSize) {
    }

    @Override
    public List<Offer> offers(UUID targetArtifact, Collection<String> baseSha256s, Collection<Integer> formats) {
        if (formats == null || formats.isEmpty()) return List.of();
        List<Ready> ready = ready(targetArtifact, normalized(baseSha256s), formats);
        if (ready.isEmpty()) return List.of();
        long full = ready.get(0).targetSize();
        Offer compressed = null;
        Map<String, Offer> perBase = new LinkedHashMap<>();
        for (Ready r : ready) {
            Offer o = r.offer();
            if (o.baseSha256() == null) {
                if (compressed == null || o.size() < compressed.size()) compressed = o;
            } else {
                perBase.merge(o.baseSha256(), o, (x, y) -> y.size() < x.size() ? y : x);
            }
        }
        List<Offer> out = new ArrayList<>();
        boolean compressedOffered = compressed != null && worthIt(compressed.size(), full);
        if (compressedOffered) out.add(compressed);
        // A delta competes with what the device would download without it: the compressed full
        // file when that is offered, else the full file.
        long replaced = compressedOffered ? compressed.size() : full;
        for (Offer o : perBase.values()) {
            if (worthIt(o.size(), replaced)) out.add(o);
        }
        out.sort(Comparator.comparingLong(Offer::size).thenComparing(o -> o.id().toString()));
        return List.copyOf(out);
    }

    private boolean worthIt(long size, long replaced) {
        return size <= config.maxRatio() * replaced;
    }

    @Override
    public Optional<Offer> offer(UUID targetArtifact, UUID deltaId) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(BY_ID)) {
                ps.setString(1, tenants.current());
                ps.setObject(2, targetArtifact);
                ps.setObject(3, deltaId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(offer(rs, targetArtifact)) : Optional.<Offer>empty();
                }
            }
        });
    }

    @Override
    public void demand(UUID targetArtifact, Collection<String> baseSha256s) {
        Set<String> wanted = new HashSet<>(normalized(baseSha256s));
        if (wanted.isEmpty() || !config.enabled()) return;
        String tenant = tenants.current();
        wanted.removeAll(knownBases(tenant, targetArtifact, wanted));
        if (wanted.isEmpty()) return;
        // In the caller's transaction and connection: a second connection per device request
        // would exhaust the pool under load. The savepoint keeps a failure here (a deadlock with
        // a concurrent request, say) from aborting the caller's transaction: the device still
        // gets its deployment answer, and its next request asks again. SQL savepoints, as the
        // pool refuses JDBC rollbacks on a connection enlisted in a transaction.
        int queued = em.unwrap(Session.class).doReturningWork(c -> {
            try (Statement sp = c.createStatement()) {
                sp.execute("SAVEPOINT delta_demand");
                try {
                    int n = insertDemand(c, tenant, targetArtifact, wanted);
                    sp.execute("RELEASE SAVEPOINT delta_demand");
                    return n;
                } catch (SQLException e) {
                    sp.execute("ROLLBACK TO SAVEPOINT delta_demand");
                    LOG.warnf(e, "could not queue deltas to artifact %s on demand; a later request will ask again", targetArtifact);
                    return 0;
                }
            }
        });
        if (queued > 0) {
            LOG.debugf("queued %d delta(s) to artifact %s on a device's demand", queued, targetArtifact);
            workers.wakeAfterCommit();
        }
    }

    private int insertDemand(Connection c, String tenant, UUID targetArtifact, Set<String> wanted) throws SQLException {
        // The application's clock, as the planner and the queue use: the queue compares not_before with it.
        OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
        try (PreparedStatement ps = c.prepareStatement(DEMAND)) {
            ps.setObject(1, now);
            ps.setObject(2, now);
            ps.setArray(3, c.createArrayOf("text", wanted.toArray(String[]::new)));
            ps.setString(4, tenant);
            ps.setObject(5, targetArtifact);
            ps.setLong(6, config.minSize().asLongValue());
            return ps.executeUpdate();
        }
    }

    private List<Ready> ready(UUID target, List<String> bases, Collection<Integer> formats) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(READY)) {
                ps.setString(1, tenants.current());
                ps.setObject(2, target);
                ps.setArray(3, c.createArrayOf("integer", formats.toArray(Integer[]::new)));
                ps.setArray(4, c.createArrayOf("text", bases.toArray(String[]::new)));
                List<Ready> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new Ready(offer(rs, target), rs.getLong(7)));
                }
                return out;
            }
        });
    }

    private Set<String> knownBases(String tenant, UUID target, Set<String> bases) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(KNOWN_BASES)) {
                ps.setString(1, tenant);
                ps.setObject(2, target);
                ps.setArray(3, c.createArrayOf("text", bases.toArray(String[]::new)));
                Set<String> out = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1).strip());
                }
                return out;
            }
        });
    }

    private static Offer offer(ResultSet rs, UUID target) throws SQLException {
        String base = rs.getString(2);
        return new Offer(rs.getObject(1, UUID.class), target, base == null ? null : base.strip(), rs.getString(3),
                rs.getInt(4), rs.getLong(5), rs.getString(6).strip());
    }

    /** Lower-case digests, each once; anything that is not a SHA-256 in hex cannot name a stored file and is left out. */
    private static List<String> normalized(Collection<String> sha256s) {
        if (sha256s == null) return List.of();
        Set<String> out = new LinkedHashSet<>();
        for (String s : sha256s) {
            if (s == null) continue;
            String h = s.strip().toLowerCase(Locale.ROOT);
            if (Digests.isSha256Hex(h)) out.add(h);
        }
        return List.copyOf(out);
    }
}
