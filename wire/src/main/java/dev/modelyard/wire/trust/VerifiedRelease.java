package dev.modelyard.wire.trust;

import java.util.HexFormat;

/**
 * Release metadata that passed {@link Verifier#verifyRelease}. Only the verifier creates these,
 * so code that takes a {@code VerifiedRelease} cannot be handed unverified metadata; that is
 * why this is a class with a package-private constructor rather than a record.
 */
public final class VerifiedRelease {

    private final ArtifactMetadata metadata;
    private final SignedEnvelope envelope;

    VerifiedRelease(ArtifactMetadata metadata, SignedEnvelope envelope) {
        this.metadata = metadata;
        this.envelope = envelope;
    }

    public ArtifactMetadata metadata() {
        return metadata;
    }

    /** The envelope as received, for storing next to the installed artifact. */
    public SignedEnvelope envelope() {
        return envelope;
    }

    /** The exact artifact size in bytes. */
    public long size() {
        return metadata.artifact().size();
    }

    /** The artifact's SHA-256. */
    public byte[] sha256() {
        return HexFormat.of().parseHex(metadata.artifact().sha256());
    }

    @Override
    public String toString() {
        return "VerifiedRelease[" + metadata.tenant() + "/" + metadata.model() + " " + metadata.version()
                + " #" + metadata.releaseCounter() + " " + metadata.artifact().filename() + "]";
    }
}
