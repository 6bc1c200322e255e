package dev.modelyard.device;

import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;

/** A root of trust and release metadata signed under it, for tests that install models of model "kws". */
public final class SignedReleases {

    public static final DeviceFacts DEVICE = new DeviceFacts("x86_64", List.of("cpu"),
            java.util.Map.of("onnxruntime", "1.23.2", "tflite", "2.6.2"), java.util.Set.of(), 2048, "linux");
    private final KeyPair root = Ed25519.generate();
    private final KeyPair release = Ed25519.generate();

    /** A model file "downloaded" into place and its signed release metadata. */
    public record Release(Path file, String json) {
    }

    public TrustStore trust() {
        try {
            return new TrustStore(Signer.of(root).sign(RootMetadata.create(1, Instant.now().plus(365, ChronoUnit.DAYS),
                List.of(root.getPublic()), 1, List.of(release.getPublic()), 1)));
        } catch (dev.modelyard.wire.trust.VerificationException e) {
            throw new IllegalStateException(e);
        }
    }

    public Release release(Path dir, String version, long counter, byte[] bytes) throws Exception {
        return release(dir, version, counter, bytes, TargetDescriptor.of("onnx", null, ">=1.17", "any", "cpu", "fp32", null, null));
    }

    /** A release of a file for {@code target} (its format names the file: kws.onnx, kws.tflite). */
    public Release release(Path dir, String version, long counter, byte[] bytes, TargetDescriptor target) throws Exception {
        Path file = Files.write(dir.resolve("download-" + version + "-" + System.nanoTime()), bytes);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Instant now = Instant.now();
        ArtifactMetadata meta = new ArtifactMetadata("default", "kws", version, counter,
                new ArtifactMetadata.ArtifactFile("kws." + target.format(), sha, bytes.length), target, now, now.plus(30, ChronoUnit.DAYS));
        return new Release(file, Signer.of(release).sign(meta).toJson());
    }
}
