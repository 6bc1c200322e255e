package dev.modelyard.wire.trust;

import dev.modelyard.wire.trust.VerificationException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * The device's checks, in two steps: {@link #verifyRelease} decides from the signed metadata
 * alone whether to download at all; {@link #verifyContent} or {@link #verifyFile} then checks
 * the bytes against it, reading no more than the signed size.
 */
public final class Verifier {

    private static final int BUFFER = 64 * 1024;

    private final TrustStore trust;

    public Verifier(TrustStore trust) {
        this.trust = trust;
    }

    /**
     * Checks, in order: the trusted root has not expired; the envelope is signed by the release
     * role's threshold; it is artifact metadata; it is within its validity window; it is for the
     * expected tenant and model; the device can run its target; its release counter is not below
     * the installed one (unless {@code expect.rollbackAuthorization()} authorizes exactly this
     * release); its size is acceptable.
     */
    public VerifiedRelease verifyRelease(SignedEnvelope release, Expectations expect) throws VerificationException {
        RootMetadata root = trust.root();
        Instant now = expect.clock().instant();
        requireRootUnexpired(root, now, expect.allowedSkew());
        ArtifactMetadata meta = authenticate(release, root, ArtifactMetadata.TYPE, "release", ArtifactMetadata::fromMap);
        String what = "release " + meta.tenant() + "/" + meta.model() + " " + meta.version()
                + " (counter " + meta.releaseCounter() + ")";
        requireValid(meta.issuedAt(), meta.expiresAt(), now, expect.allowedSkew(), what);
        if (!meta.tenant().equals(expect.tenant()) || !meta.model().equals(expect.model())) {
            throw new VerificationException(Reason.MIX_AND_MATCH, what + ": the device asked for "
                    + expect.tenant() + "/" + expect.model());
        }
        List<String> unmet = expect.device().unmetRequirements(meta.target());
        if (!unmet.isEmpty()) {
            throw new VerificationException(Reason.WRONG_TARGET, what + ": the device does not meet its target: "
                    + String.join("; ", unmet));
        }
        requireNoRollback(meta, what, expect, root, now);
        if (meta.artifact().size() > expect.maxDownloadBytes()) {
            throw new VerificationException(Reason.TOO_LARGE, what + ": artifact is " + meta.artifact().size()
                    + " bytes, the device accepts at most " + expect.maxDownloadBytes());
        }
        return new VerifiedRelease(meta, release);
    }

    /** Checks {@code content} against the release; consumes at most size + 1 bytes of it. */
    public static void verifyContent(VerifiedRelease release, InputStream content) throws VerificationException, IOException {
        verifyContent(release, content, OutputStream.nullOutputStream());
    }

    /**
     * Checks {@code content} against the release while copying it to {@code sink}, so a
     * download can be verified as it is written. At most the signed size is copied: a stream
     * that goes on is cut off there, however much more it would send. On failure the sink holds
     * unverified bytes that the caller must discard.
     */
    public static void verifyContent(VerifiedRelease release, InputStream content, OutputStream sink)
            throws VerificationException, IOException {
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[BUFFER];
        long remaining = release.size();
        while (remaining > 0) {
            int n = content.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new VerificationException(Reason.SIZE_MISMATCH, "content ended after "
                        + (release.size() - remaining) + " bytes; the signed size is " + release.size());
            }
            sha256.update(buffer, 0, n);
            sink.write(buffer, 0, n);
            remaining -= n;
        }
        if (content.read() != -1) {
            throw new VerificationException(Reason.ENDLESS_DATA, "content goes on past the signed size of "
                    + release.size() + " bytes");
        }
        requireDigest(release, sha256.digest());
    }

    /** Checks a file against the release. */
    public static void verifyFile(VerifiedRelease release, Path file) throws VerificationException, IOException {
        long size = Files.size(file);
        if (size != release.size()) {
            throw new VerificationException(Reason.SIZE_MISMATCH, file.getFileName() + " is " + size
                    + " bytes; the signed size is " + release.size());
        }
        try (InputStream in = Files.newInputStream(file)) {
            verifyContent(release, in);
        }
    }

    private static void requireRootUnexpired(RootMetadata root, Instant now, Duration skew) throws VerificationException {
        if (now.minus(skew).isAfter(root.expires())) {
            throw new VerificationException(Reason.ROOT_EXPIRED, "trusted root v" + root.version() + " expired at "
                    + Fields.formatTime(root.expires()) + " (now " + now + "); update the root first");
        }
    }

    /** Signature threshold, then type, then fields: nothing unauthenticated is interpreted. */
    private static <T> T authenticate(SignedEnvelope envelope, RootMetadata root, String type, String what,
                                      Function<Object, T> reader) throws VerificationException {
        Threshold.require(envelope, root, root.releaseRole(), "release", what);
        if (!type.equals(envelope.type())) {
            throw new VerificationException(Reason.WRONG_TYPE, what + ": _type is " + envelope.type() + ", expected " + type);
        }
        try {
            return reader.apply(envelope.signed());
        } catch (IllegalArgumentException e) {
            throw new VerificationException(Reason.MALFORMED, what + ": " + e.getMessage());
        }
    }

    private static void requireValid(Instant issuedAt, Instant expiresAt, Instant now, Duration skew, String what)
            throws VerificationException {
        if (now.minus(skew).isAfter(expiresAt)) {
            throw new VerificationException(Reason.EXPIRED, what + ": expired at " + Fields.formatTime(expiresAt)
                    + " (now " + now + ", allowed skew " + skew.toSeconds() + " s)");
        }
        if (issuedAt.isAfter(now.plus(skew))) {
            throw new VerificationException(Reason.NOT_YET_VALID, what + ": issued at " + Fields.formatTime(issuedAt)
                    + ", in the future (now " + now + ", allowed skew " + skew.toSeconds() + " s)");
        }
    }

    private static void requireNoRollback(ArtifactMetadata meta, String what, Expectations expect, RootMetadata root,
                                          Instant now) throws VerificationException {
        Long installed = expect.installedReleaseCounter();
        if (installed == null || meta.releaseCounter() >= installed) return;
        String rollback = what + ": counter is below the installed " + installed;
        SignedEnvelope envelope = expect.rollbackAuthorization();
        if (envelope == null) {
            throw new VerificationException(Reason.ROLLBACK, rollback + " and no rollback authorization was supplied");
        }
        RollbackAuthorization auth = authenticate(envelope, root, RollbackAuthorization.TYPE, "rollback authorization",
                RollbackAuthorization::fromMap);
        requireValid(auth.issuedAt(), auth.expiresAt(), now, expect.allowedSkew(), "rollback authorization");
        if (!auth.covers(meta)) {
            throw new VerificationException(Reason.ROLLBACK, rollback + "; the rollback authorization is for "
                    + auth.tenant() + "/" + auth.model() + " " + auth.toVersion() + " (counter " + auth.toReleaseCounter() + ")");
        }
    }

    private static void requireDigest(VerifiedRelease release, byte[] actual) throws VerificationException {
        if (!MessageDigest.isEqual(actual, release.sha256())) {
            throw new VerificationException(Reason.DIGEST_MISMATCH, "content SHA-256 is " + HexFormat.of().formatHex(actual)
                    + "; the signed one is " + release.metadata().artifact().sha256());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
