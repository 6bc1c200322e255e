package dev.modelyard.wire.trust;

import dev.modelyard.wire.trust.VerificationException.Reason;
import java.util.List;

/**
 * The device's trusted root metadata. It starts from the root provisioned with the device and
 * moves forward one version at a time, each new version signed by the threshold of the
 * previous root's root keys (continuity) and of its own (so its keys really are held).
 *
 * <p>Expiry is not checked here: an expired root must still be replaceable, otherwise a device
 * that was offline past the expiry could never recover. {@link Verifier} refuses to verify
 * releases against an expired root instead.
 *
 * <p>The device persists {@link #rootEnvelope()} after each update and passes it back in as
 * the "initial" root on the next start.
 */
public final class TrustStore {

    private record Trusted(RootMetadata root, SignedEnvelope envelope) {
    }

    // Replaced as a whole, so readers always see a root together with its own envelope.
    private volatile Trusted trusted;

    /**
     * @param initialRoot a root envelope signed by the threshold of its own root role
     */
    public TrustStore(SignedEnvelope initialRoot) throws VerificationException {
        String what = "initial root";
        RootMetadata root = read(initialRoot, what);
        Threshold.require(initialRoot, root, root.rootRole(), "root", what + " v" + root.version());
        trusted = new Trusted(root, initialRoot);
    }

    /** The trusted root. */
    public RootMetadata root() {
        return trusted.root();
    }

    /** The envelope of the trusted root, for persisting it. */
    public SignedEnvelope rootEnvelope() {
        return trusted.envelope();
    }

    /**
     * Moves to {@code next}, which must be version current + 1, signed by the threshold of the
     * current root's root keys and by the threshold of its own root keys. On failure the trusted
     * root is unchanged.
     */
    public synchronized void updateRoot(SignedEnvelope next) throws VerificationException {
        RootMetadata current = trusted.root();
        long expected = current.version() + 1;
        String what = "new root (expecting v" + expected + ")";
        // Authenticate against what is already trusted before reading anything else.
        Threshold.require(next, current, current.rootRole(), "root", what + " checked against trusted v" + current.version());
        RootMetadata root = read(next, what);
        if (root.version() != expected) {
            throw new VerificationException(Reason.ROOT_VERSION, what + ": has version " + root.version()
                    + "; versions must grow by exactly one from the trusted v" + current.version());
        }
        Threshold.require(next, root, root.rootRole(), "root", "root v" + expected + " checked against its own keys");
        trusted = new Trusted(root, next);
    }

    /**
     * Applies {@code chain} in order (v+1, v+2, ...). Stops at the first envelope that fails;
     * the updates before it stay applied, as each of them was valid on its own.
     */
    public void updateRoots(List<SignedEnvelope> chain) throws VerificationException {
        for (SignedEnvelope next : chain) updateRoot(next);
    }

    private static RootMetadata read(SignedEnvelope envelope, String what) throws VerificationException {
        if (!RootMetadata.TYPE.equals(envelope.type())) {
            throw new VerificationException(Reason.WRONG_TYPE, what + ": _type is " + envelope.type() + ", expected root");
        }
        try {
            return RootMetadata.fromMap(envelope.signed());
        } catch (IllegalArgumentException e) {
            throw new VerificationException(Reason.MALFORMED, what + ": " + e.getMessage());
        }
    }
}
