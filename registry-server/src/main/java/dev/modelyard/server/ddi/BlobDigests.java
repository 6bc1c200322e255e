package dev.modelyard.server.ddi;

import dev.modelyard.server.storage.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The md5 and sha1 of a blob, which hawkBit clients expect beside the sha256: computed from the
 * stored bytes the first time a device needs them, then kept in {@code blob_digest}.
 */
@ApplicationScoped
public class BlobDigests {

    /** Lower-case hex digests. */
    public record Hashes(String sha1, String md5) {
    }

    private final EntityManager em;
    private final BlobStore store;

    public BlobDigests(EntityManager em, BlobStore store) {
        this.em = em;
        this.store = store;
    }

    /** Call inside a transaction. */
    public Hashes of(String sha256, long size) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT sha1, md5 FROM blob_digest WHERE sha256 = ?1")
                .setParameter(1, sha256).getResultList();
        if (!rows.isEmpty()) return new Hashes(((String) rows.get(0)[0]).strip(), ((String) rows.get(0)[1]).strip());
        Hashes h;
        try (InputStream in = store.open(sha256, 0, size)) {
            h = compute(in);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read blob " + sha256 + " to compute its md5 and sha1", e);
        }
        em.createNativeQuery("INSERT INTO blob_digest (sha256, sha1, md5) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")
                .setParameter(1, sha256).setParameter(2, h.sha1()).setParameter(3, h.md5()).executeUpdate();
        return h;
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
