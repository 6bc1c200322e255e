package dev.modelyard.server.ddi;

import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.model.VersionPublished;
import dev.modelyard.server.storage.BlobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.jboss.logging.Logger;

/**
 * The md5 and sha1 of a blob, which hawkBit clients expect beside the sha256, kept in
 * {@code blob_digest}. Computed from the stored bytes in the background once a version is
 * published, so the first device to ask does not wait for a pass over a large file; and, should a
 * device still be first, when it asks. Uploads do not compute them: two more digests would halve
 * the upload speed for files most of which never reach a hawkBit client.
 */
@ApplicationScoped
public class BlobDigests {

    /** Lower-case hex digests. */
    public record Hashes(String sha1, String md5) {
    }

    private static final Logger LOG = Logger.getLogger(BlobDigests.class);

    private final EntityManager em;
    private final BlobStore store;
    private final ExecutorService background;
    private final TenantContext tenants;

    public BlobDigests(EntityManager em, BlobStore store, ExecutorService background, TenantContext tenants) {
        this.tenants = tenants;
        this.em = em;
        this.store = store;
        this.background = background;
    }

    void onPublished(@Observes(during = TransactionPhase.AFTER_SUCCESS) VersionPublished published) {
        background.execute(() -> {
            try {
                tenants.runAs(published.tenant(), () -> precompute(published.versionId()));
            } catch (RuntimeException e) {
                LOG.warnf(e, "computing md5 and sha1 of version %d's files failed; devices will have them computed on demand",
                        published.versionId());
            }
        });
    }

    /** Reads each file outside any transaction (large files take longer than a transaction may last). */
    private void precompute(long versionId) {
        List<Object[]> blobs = QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery("""
                            SELECT DISTINCT a.sha256, a.size FROM artifact a
                            WHERE a.version_id = ?1 AND NOT EXISTS (SELECT 1 FROM blob_digest d WHERE d.sha256 = a.sha256)""")
                    .setParameter(1, versionId).getResultList();
            return rows;
        });
        for (Object[] b : blobs) {
            String sha256 = ((String) b[0]).strip();
            Hashes h = read(sha256, ((Number) b[1]).longValue());
            QuarkusTransaction.requiringNew().run(() -> remember(sha256, h));
        }
    }

    /** Call inside a transaction. */
    public Hashes of(String sha256, long size) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT sha1, md5 FROM blob_digest WHERE sha256 = ?1")
                .setParameter(1, sha256).getResultList();
        if (!rows.isEmpty()) return new Hashes(((String) rows.get(0)[0]).strip(), ((String) rows.get(0)[1]).strip());
        Hashes h = read(sha256, size);
        remember(sha256, h);
        return h;
    }

    private Hashes read(String sha256, long size) {
        try (InputStream in = store.open(sha256, 0, size)) {
            return compute(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read blob " + sha256 + " to compute its md5 and sha1", e);
        }
    }

    private void remember(String sha256, Hashes h) {
        em.createNativeQuery("INSERT INTO blob_digest (sha256, sha1, md5) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                .setParameter(1, sha256).setParameter(2, h.sha1()).setParameter(3, h.md5()).executeUpdate();
    }

    static Hashes compute(InputStream in) throws IOException {
        MessageDigest sha1 = digest("SHA-1");
        MessageDigest md5 = digest("MD5");
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            sha1.update(buf, 0, n);
            md5.update(buf, 0, n);
        }
        return new Hashes(HexFormat.of().formatHex(sha1.digest()), HexFormat.of().formatHex(md5.digest()));
    }

    static String hex(String algorithm, byte[] bytes) {
        return HexFormat.of().formatHex(digest(algorithm).digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
