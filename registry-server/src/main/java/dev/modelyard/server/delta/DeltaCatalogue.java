package dev.modelyard.server.delta;

import dev.modelyard.server.storage.Digests;
import dev.modelyard.server.tenant.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;
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
     * arbitrary blob (another model's, another tenant's) as a base. The base's artifact is
     * recorded as lineage (the newest with those bytes). The unique pair index makes a race with
     * another request a no-op.
     */
    static final String DEMAND = """
            INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, base_artifact_id, status,
                                        requested_by, target_size)
            SELECT gen_random_uuid(), t.tenant, t.id, b.sha256, b.id, 'PENDING', 'demand', t.size
            FROM artifact t
            JOIN model_version tv ON tv.id = t.version_id
            JOIN LATERAL (SELECT DISTINCT ON (a.sha256) a.sha256, a.id
                          FROM artifact a JOIN model_version v ON v.id = a.version_id
                          WHERE a.tenant = t.tenant AND v.model_id = tv.model_id AND a.sha256 = ANY(?)
                            AND a.sha256 <> t.sha256
                          ORDER BY a.sha256, a.created_at DESC, a.id) b ON true
            WHERE t.tenant = ? AND t.id = ?
            ON CONFLICT DO NOTHING""";

    private final EntityManager em;
    private final TenantContext tenants;
    private final double maxRatio;

    public DeltaCatalogue(EntityManager em, TenantContext tenants,
                          @ConfigProperty(name = "modelyard.delta.max-ratio", defaultValue = "0.9") double maxRatio) {
        this.em = em;
        this.tenants = tenants;
        this.maxRatio = maxRatio;
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
        if (compressed != null && worthIt(compressed.size(), full)) out.add(compressed);
        // A delta competes with what the device would download without it: the compressed full
        // file when that is offered, else the full file.
        long replaced = out.isEmpty() ? full : compressed.size();
        for (Offer o : perBase.values()) {
            if (worthIt(o.size(), replaced)) out.add(o);
        }
        out.sort(Comparator.comparingLong(Offer::size).thenComparing(o -> o.id().toString()));
        return List.copyOf(out);
    }

    private boolean worthIt(long size, long replaced) {
        return size <= maxRatio * replaced;
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
        if (wanted.isEmpty()) return;
        String tenant = tenants.current();
        wanted.removeAll(knownBases(tenant, targetArtifact, wanted));
        if (wanted.isEmpty()) return;
        try {
            // Its own transaction: the request is worth keeping even if the caller's answer fails
            // later, and no failure here may cost the device its deployment answer.
            int queued = QuarkusTransaction.requiringNew().call(() -> em.unwrap(Session.class).doReturningWork(c -> {
                try (PreparedStatement ps = c.prepareStatement(DEMAND)) {
                    ps.setArray(1, c.createArrayOf("text", wanted.toArray(String[]::new)));
                    ps.setString(2, tenant);
                    ps.setObject(3, targetArtifact);
                    return ps.executeUpdate();
                }
            }));
            if (queued > 0) LOG.debugf("queued %d delta(s) to artifact %s on a device's demand", queued, targetArtifact);
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not queue deltas to artifact %s on demand; a later request will ask again", targetArtifact);
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
                Array array = c.createArrayOf("text", bases.toArray(String[]::new));
                ps.setArray(3, array);
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
