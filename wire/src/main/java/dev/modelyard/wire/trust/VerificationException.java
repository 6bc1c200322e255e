package dev.modelyard.wire.trust;

/**
 * Metadata or content the device must refuse. The {@link Reason} is for programs (reporting,
 * metrics, test vectors); the message says exactly what was wrong, for people.
 */
public class VerificationException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why verification failed. */
    public enum Reason {
        /** Not parseable, or a field is missing, extra or of the wrong type. */
        MALFORMED,
        /** The signed document is of another {@code _type} than the one expected. */
        WRONG_TYPE,
        /** Signed only by keys the role does not list. */
        UNKNOWN_KEY,
        /** A key the role lists produced a signature that does not verify. */
        BAD_SIGNATURE,
        /** Fewer distinct valid signatures from the role's keys than its threshold. */
        THRESHOLD_NOT_MET,
        /** The document's expiry lies in the past (freeze attack or stale mirror). */
        EXPIRED,
        /** The document was issued in the future, beyond the allowed clock skew. */
        NOT_YET_VALID,
        /** The trusted root has expired; only a root update can proceed. */
        ROOT_EXPIRED,
        /** A new root whose version is not exactly the trusted version plus one. */
        ROOT_VERSION,
        /** Metadata for another tenant or model than the one being updated. */
        MIX_AND_MATCH,
        /** The artifact's target cannot run on this device. */
        WRONG_TARGET,
        /** A release counter below the installed one, without a matching rollback authorization. */
        ROLLBACK,
        /** The artifact is larger than the device accepts. */
        TOO_LARGE,
        /** The content is shorter than the signed size. */
        SIZE_MISMATCH,
        /** The content goes on past the signed size. */
        ENDLESS_DATA,
        /** The content's SHA-256 differs from the signed one. */
        DIGEST_MISMATCH
    }

    private final Reason reason;

    public VerificationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "VerificationException[" + reason + "]: " + getMessage();
    }
}
