package dev.modelyard.server.ddi;

import dev.modelyard.delta.DeltaFormat;
import dev.modelyard.server.artifact.Artifact;
import dev.modelyard.server.delta.DeltaOffers;
import dev.modelyard.server.deployment.Action;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.wire.ddi.DeploymentBase;
import dev.modelyard.wire.ddi.DeviceAttributes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.hibernate.Session;

/**
 * The delta files of a chunk ({@link DeploymentBase.Delta}, the {@code modelyardDeltas}
 * extension) and their downloads. Offered only to Modelyard's updater when it reports the delta
 * formats it applies, for the files the server knows it holds; a stock client's chunk never
 * changes. A delta is named {@code <payload>.<delta id>.mydelta} in the payload's module, so its
 * download passes the same assignment check as the payload.
 */
@ApplicationScoped
public class DeltaFiles {

    /**
     * The files of the model a device holds, as far as the server believes it: the artifact of
     * its last finished action for the model, and what it reports serving
     * ({@code modelyard.installed.<model>}) when the server delivered that file to this device: the
     * artifact of one of its actions that finished or downloaded, of a version devices may be
     * given (published or deprecated). A device must never make the server read a file it was not
     * given as a base (a draft, a revoked version, another device's version): an XOR delta against
     * it would reveal that file's tensors. Only files of the payload's format and precision: a
     * delta across them shares no layout with the payload. Never the payload itself.
     */
    static final String BASES = """
            SELECT DISTINCT a.sha256 FROM artifact a JOIN model_version v ON v.id = a.version_id
            WHERE a.tenant = ? AND v.model_id = ? AND a.sha256 <> ? AND a.format = ? AND a.precision = ?
              AND (a.id = (SELECT x.artifact_id FROM installed_model i JOIN action x ON x.id = i.action_id
                           WHERE i.device_id = ? AND i.model_id = ?)
                   OR (a.sha256 = ? AND v.status IN ('PUBLISHED', 'DEPRECATED')
                       AND EXISTS (SELECT 1 FROM action d
                                   WHERE d.tenant = a.tenant AND d.device_id = ? AND d.artifact_id = a.id
                                     AND d.status IN ('FINISHED', 'DOWNLOADED'))))""";

    private final DeltaOffers offers;
    private final BlobDigests digests;
    private final EntityManager em;
    private final TenantContext tenants;

    public DeltaFiles(DeltaOffers offers, BlobDigests digests, EntityManager em, TenantContext tenants) {
        this.offers = offers;
        this.digests = digests;
        this.em = em;
        this.tenants = tenants;
    }

    /**
     * The deltas to offer with the payload {@code art} of an open action; null (no member at all)
     * when the device applies no delta format or none is worth offering. Bases without any delta
     * yet are queued for a build, so the device's next deployment may have one.
     */
    List<DeploymentBase.Delta> offered(Action a, Artifact art, Map<String, String> attributes, String prefix, String base) {
        Set<Integer> formats = DeviceAttributes.deltaFormats(attributes);
        if (formats.isEmpty()) return null;
        String reported = attributes.get(DeviceAttributes.INSTALLED_PREFIX + a.model.name);
        List<String> bases = bases(a, art, reported == null ? null : reported.strip().toLowerCase(Locale.ROOT));
        List<DeltaOffers.Offer> found = offers.offers(art.id, bases, formats);
        offers.demand(art.id, bases);
        if (found.isEmpty()) return null;
        List<DeploymentBase.Delta> out = new ArrayList<>(found.size());
        for (DeltaOffers.Offer o : found) {
            String name = filename(art, o.id());
            BlobDigests.Hashes h = digests.of(o.blobSha256(), o.size());
            out.add(new DeploymentBase.Delta(name, art.filename, o.baseSha256(), o.method(), o.format(), o.size(),
                    new DeploymentBase.Hashes(h.sha1(), h.md5(), o.blobSha256()), DdiService.fileLinks(prefix + name, base)));
        }
        return out;
    }

    /** A delta's name in its payload's module. */
    static String filename(Artifact art, UUID deltaId) {
        return art.filename + "." + deltaId + DeltaFormat.FILE_SUFFIX;
    }

    /**
     * The ready delta of {@code art} that {@code filename} names ({@code <payload>.<id>.mydelta});
     * empty for any other name, an unknown id, another artifact's delta or one not ready.
     */
    Optional<DeltaOffers.Offer> named(Artifact art, String filename) {
        String prefix = art.filename + ".";
        if (!filename.startsWith(prefix) || !filename.endsWith(DeltaFormat.FILE_SUFFIX)) return Optional.empty();
        String id = filename.substring(prefix.length(), filename.length() - DeltaFormat.FILE_SUFFIX.length());
        UUID deltaId;
        try {
            deltaId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // The name must be the one the chunk gave: a UUID has other spellings (upper case, no leading zeros).
        if (!deltaId.toString().equals(id)) return Optional.empty();
        return offers.offer(art.id, deltaId);
    }

    private List<String> bases(Action a, Artifact art, String reported) {
        return em.unwrap(Session.class).doReturningWork(c -> {
            try (PreparedStatement ps = c.prepareStatement(BASES)) {
                ps.setString(1, tenants.current());
                ps.setLong(2, a.model.id);
                ps.setString(3, art.sha256.strip());
                ps.setString(4, art.format);
                ps.setString(5, art.precision);
                ps.setLong(6, a.deviceId);
                ps.setLong(7, a.model.id);
                ps.setString(8, reported);
                ps.setLong(9, a.deviceId);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1).strip());
                }
                return out;
            }
        });
    }
}
