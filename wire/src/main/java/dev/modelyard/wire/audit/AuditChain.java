package dev.modelyard.wire.audit;

import dev.modelyard.wire.trust.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain of a tenant's audit trail, computed the same way by the server (when it appends)
 * and by anyone who checks it (the server's verify endpoint, the CLI).
 * <p>
 * {@code hash = hex(SHA-256(UTF-8(prevHash) ‖ canonical(entry)))}, where {@code canonical} is the
 * RFC 8785 form ({@link CanonicalJson}) of every field but the two hashes, and the first entry's
 * {@code prevHash} is {@link #GENESIS}. Changing, inserting or removing an entry changes a hash
 * that the next entry names, so a check from the first entry finds the first one touched.
 */
public final class AuditChain {

    /** The previous hash of a tenant's first entry. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /** The canonical bytes of an entry (without its hashes): what the hash covers after the previous hash. */
    public static byte[] canonical(AuditEntry entry) {
        return CanonicalJson.canonicalize(CanonicalJson.immutableCopy(entry.hashedFields()));
    }

    /** The hash an entry must carry when it follows {@code prevHash}. */
    public static String hash(String prevHash, AuditEntry entry) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash.getBytes(StandardCharsets.UTF_8));
            sha.update(canonical(entry));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** A chain check that is fed the entries of one tenant in order, one at a time (e.g. page by page). */
    public static Verifier verifier() {
        return new Verifier();
    }

    /** Where a chain stops being intact. */
    public record Broken(long seq, String reason) {
    }

    /** The outcome of a check: how many entries were read, and the first broken one, if any. */
    public record Result(long checked, Broken firstBroken) {
        public boolean intact() {
            return firstBroken == null;
        }
    }

    /** Checks entries in order; after the first broken one it only counts. */
    public static final class Verifier {

        private long checked;
        private long expectedSeq = 1;
        private String previousHash = GENESIS;
        private Broken broken;

        private Verifier() {
        }

        /** Checks the next entry; returns the first broken entry found so far, or null. */
        public Broken accept(AuditEntry entry) {
            checked++;
            if (broken != null) return broken;
            if (entry.seq() != expectedSeq) {
                broken = new Broken(entry.seq(), expectedSeq < entry.seq()
                        ? "entries " + expectedSeq + " to " + (entry.seq() - 1) + " are missing"
                        : "sequence number " + entry.seq() + " where " + expectedSeq + " was expected");
            } else if (!previousHash.equals(entry.prevHash())) {
                broken = new Broken(entry.seq(), "its previous hash is not the hash of entry " + (entry.seq() - 1));
            } else if (!hash(previousHash, entry).equals(entry.hash())) {
                broken = new Broken(entry.seq(), "its content does not match its hash");
            } else {
                previousHash = entry.hash();
                expectedSeq++;
            }
            return broken;
        }

        public Result result() {
            return new Result(checked, broken);
        }
    }
}
