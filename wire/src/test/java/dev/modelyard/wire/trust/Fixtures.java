package dev.modelyard.wire.trust;

import dev.modelyard.wire.TargetDescriptor;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

/** Deterministic keys, times and documents shared by the trust tests and the vector generator. */
final class Fixtures {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Duration SKEW = Duration.ofMinutes(5);
    static final Instant ISSUED = Instant.parse("2026-05-01T00:00:00Z");
    static final Instant EXPIRES = Instant.parse("2026-08-01T00:00:00Z");
    static final Instant ROOT_EXPIRES = Instant.parse("2027-01-01T00:00:00Z");
    static final long MAX_DOWNLOAD = 1L << 30;

    private Fixtures() {
    }

    /** The seed of a named test key: SHA-256 of "modelyard test key " + name. */
    static byte[] seed(String name) {
        return Ed25519.sha256(("modelyard test key " + name).getBytes(StandardCharsets.UTF_8));
    }

    static KeyPair key(String name) {
        return Ed25519.keyPairFromSeed(seed(name));
    }

    static String keyId(String name) {
        return Ed25519.keyId(key(name).getPublic());
    }

    static TargetDescriptor target(String arch) {
        return new TargetDescriptor("onnx", "onnxruntime", ">=1.17", arch, "cpu", "int8", 256, null);
    }

    static DeviceFacts device(String arch) {
        return new DeviceFacts(arch, List.of("cpu"), "onnxruntime", "1.18.0", 1024, "linux");
    }

    static String sha256Hex(byte[] content) {
        return HexFormat.of().formatHex(Ed25519.sha256(content));
    }

    static Expectations expect(String tenant, String model, DeviceFacts device) {
        return new Expectations(tenant, model, device, null, null, CLOCK, SKEW, MAX_DOWNLOAD);
    }

    static Expectations expect() {
        return expect("default", "kws", device("aarch64"));
    }

    static RootMetadata root(long version, Instant expires, List<String> rootKeys, int rootThreshold,
                             List<String> releaseKeys, int releaseThreshold) {
        return RootMetadata.create(version, expires,
                rootKeys.stream().map(n -> key(n).getPublic()).toList(), rootThreshold,
                releaseKeys.stream().map(n -> key(n).getPublic()).toList(), releaseThreshold);
    }

    static Signer signer(String... names) {
        return new Signer(java.util.Arrays.stream(names).map(Fixtures::key).toList());
    }

    /** Artifact metadata with every field settable; starts as a valid kws 1.2.0 release. */
    static final class Release {
        String tenant = "default";
        String model = "kws";
        String version = "1.2.0";
        long counter = 7;
        String filename = "kws.onnx";
        String sha256;
        long size;
        TargetDescriptor target = Fixtures.target("aarch64");
        Instant issuedAt = ISSUED;
        Instant expiresAt = EXPIRES;

        Release(byte[] content) {
            sha256 = sha256Hex(content);
            size = content.length;
        }

        Release tenant(String v) { tenant = v; return this; }
        Release model(String v) { model = v; return this; }
        Release version(String v, long c) { version = v; counter = c; return this; }
        Release size(long v) { size = v; return this; }
        Release target(TargetDescriptor v) { target = v; return this; }
        Release window(Instant issued, Instant expires) { issuedAt = issued; expiresAt = expires; return this; }

        ArtifactMetadata build() {
            return new ArtifactMetadata(tenant, model, version, counter,
                    new ArtifactMetadata.ArtifactFile(filename, sha256, size), target, issuedAt, expiresAt);
        }
    }
}
