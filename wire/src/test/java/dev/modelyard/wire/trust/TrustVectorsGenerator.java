package dev.modelyard.wire.trust;

import dev.modelyard.wire.TargetDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the published trust test vectors: root and release envelopes, artifact contents and a
 * {@code manifest.json} saying what a verifier must conclude for each case. Everything is
 * derived from fixed seeds and a fixed clock, and Ed25519 signatures are deterministic, so the
 * output is the same on every run; {@code TrustVectorsTest} holds the committed files to that.
 *
 * <p>Run from the repository root after building the wire module's test classes:
 * {@code java -cp wire/target/classes:wire/target/test-classes
 * dev.modelyard.wire.trust.TrustVectorsGenerator wire/src/test/resources/trust-vectors}
 */
public final class TrustVectorsGenerator {

    static final List<String> KEY_NAMES = List.of("root-a", "root-b", "root-c", "root-d", "release-1", "release-2", "attacker");
    private static final byte[] CONTENT = content();

    private final Map<String, byte[]> files = new TreeMap<>();
    private final List<Object> vectors = new ArrayList<>();

    private TrustVectorsGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TrustVectorsGenerator <output directory>");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> f : generate().entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        System.out.println("wrote " + generate().size() + " files to " + dir);
    }

    /** Every vector file by name. */
    static Map<String, byte[]> generate() {
        TrustVectorsGenerator g = new TrustVectorsGenerator();
        g.roots();
        g.releases();
        g.contents();
        g.cases();
        g.files.put("manifest.json", g.manifest());
        return g.files;
    }

    private void roots() {
        List<String> v1Keys = List.of("root-a", "root-b");
        List<String> v2Keys = List.of("root-b", "root-c");
        envelope("root-v1.json", Fixtures.root(1, Fixtures.ROOT_EXPIRES, v1Keys, 2, List.of("release-1"), 1),
                "root-a", "root-b");
        // v2 rotates root-a out and revokes release-1: signed by v1's threshold and its own.
        envelope("root-v2.json", Fixtures.root(2, Fixtures.ROOT_EXPIRES, v2Keys, 2, List.of("release-2"), 1),
                "root-a", "root-b", "root-c");
        envelope("root-v3.json", Fixtures.root(3, Instant.parse("2027-06-01T00:00:00Z"), v2Keys, 2, List.of("release-2"), 1),
                "root-b", "root-c");
        // A v2 whose keys nothing in v1 vouches for.
        envelope("root-v2-broken.json", Fixtures.root(2, Fixtures.ROOT_EXPIRES, List.of("root-c", "root-d"), 2,
                List.of("attacker"), 1), "root-c", "root-d");
        envelope("root-expired-v1.json", Fixtures.root(1, Instant.parse("2026-03-01T00:00:00Z"), v1Keys, 2,
                List.of("release-1"), 1), "root-a", "root-b");
    }

    private void releases() {
        envelope("release-valid.json", release().build(), "release-1");
        files.put("release-tampered.json", tamperDigest(files.get("release-valid.json")));
        files.put("release-fractional-size.json", fractionalSize(files.get("release-valid.json")));
        Map<String, Object> incomplete = new TreeMap<>(release().build().toMap());
        incomplete.remove("expiresAt");
        files.put("release-missing-field.json", Fixtures.signer("release-1").sign(incomplete).toJsonBytes());
        envelope("release-wrong-key.json", release().build(), "attacker");
        envelope("release-expired.json", release().window(Instant.parse("2026-03-01T00:00:00Z"),
                Instant.parse("2026-05-01T00:00:00Z")).build(), "release-1");
        envelope("release-not-yet-valid.json", release().window(Instant.parse("2026-06-02T00:00:00Z"),
                Instant.parse("2026-09-01T00:00:00Z")).build(), "release-1");
        envelope("release-older.json", release().version("1.1.0", 5).build(), "release-1");
        envelope("release-other-model.json", release().model("vad").build(), "release-1");
        envelope("release-other-tenant.json", release().tenant("acme").build(), "release-1");
        envelope("release-too-large.json", release().size(2L << 30).build(), "release-1");
        envelope("release-by-release-2.json", release().version("1.3.0", 8).build(), "release-2");
        Instant issued = Instant.parse("2026-05-30T00:00:00Z");
        Instant expires = Instant.parse("2026-06-30T00:00:00Z");
        envelope("rollback-to-1.1.0.json", new RollbackAuthorization("default", "kws", "1.1.0", 5, issued, expires),
                "release-1");
        envelope("rollback-to-other-counter.json", new RollbackAuthorization("default", "kws", "1.1.0", 4, issued, expires),
                "release-1");
    }

    private void contents() {
        files.put("artifact.bin", CONTENT);
        byte[] flipped = CONTENT.clone();
        flipped[CONTENT.length / 2] ^= 0x01;
        files.put("artifact-tampered.bin", flipped);
        files.put("artifact-short.bin", Arrays.copyOf(CONTENT, CONTENT.length - 1));
        byte[] longer = Arrays.copyOf(CONTENT, CONTENT.length + 1);
        longer[CONTENT.length] = '\n';
        files.put("artifact-long.bin", longer);
    }

    private void cases() {
        Map<String, Object> arm = expect("aarch64", null);
        add("valid-release", "A release signed by the release key of root v1, with its content.",
                "root-v1.json", List.of(), "release-valid.json", null, "artifact.bin", arm, "ok");
        add("tampered-signed-byte", "One hex digit of artifact.sha256 changed after signing.",
                "root-v1.json", List.of(), "release-tampered.json", null, null, arm, "BAD_SIGNATURE");
        add("fractional-number", "artifact.size written as " + CONTENT.length + ".0: not an integer, so the file is no valid envelope.",
                "root-v1.json", List.of(), "release-fractional-size.json", null, null, arm, "MALFORMED");
        add("missing-field", "Validly signed artifact metadata without expiresAt.",
                "root-v1.json", List.of(), "release-missing-field.json", null, null, arm, "MALFORMED");
        add("wrong-key", "Signed by a key root v1 does not list.",
                "root-v1.json", List.of(), "release-wrong-key.json", null, null, arm, "UNKNOWN_KEY");
        add("expired", "expiresAt lies a month before now.",
                "root-v1.json", List.of(), "release-expired.json", null, null, arm, "EXPIRED");
        add("not-yet-valid", "issuedAt lies half a day after now, beyond the allowed skew.",
                "root-v1.json", List.of(), "release-not-yet-valid.json", null, null, arm, "NOT_YET_VALID");
        add("rollback", "Release counter 5 while counter 7 is installed.",
                "root-v1.json", List.of(), "release-older.json", null, null, expect("aarch64", 7L), "ROLLBACK");
        add("rollback-authorized", "Counter 5 while 7 is installed, with a rollback authorization for exactly 1.1.0 / 5.",
                "root-v1.json", List.of(), "release-older.json", "rollback-to-1.1.0.json", null, expect("aarch64", 7L), "ok");
        add("rollback-authorization-mismatch", "The rollback authorization names counter 4, the release has 5.",
                "root-v1.json", List.of(), "release-older.json", "rollback-to-other-counter.json", null,
                expect("aarch64", 7L), "ROLLBACK");
        add("same-counter-is-no-rollback", "Reinstalling the installed counter needs no authorization.",
                "root-v1.json", List.of(), "release-valid.json", null, null, expect("aarch64", 7L), "ok");
        add("mix-and-match-model", "Valid metadata for model vad offered for kws.",
                "root-v1.json", List.of(), "release-other-model.json", null, null, arm, "MIX_AND_MATCH");
        add("mix-and-match-tenant", "Valid metadata for tenant acme offered to a device of tenant default.",
                "root-v1.json", List.of(), "release-other-tenant.json", null, null, arm, "MIX_AND_MATCH");
        add("wrong-target", "An aarch64 artifact offered to an x86_64 device.",
                "root-v1.json", List.of(), "release-valid.json", null, null, expect("x86_64", null), "WRONG_TARGET");
        add("too-large", "The artifact is 2 GiB, the device accepts 1 GiB.",
                "root-v1.json", List.of(), "release-too-large.json", null, null, arm, "TOO_LARGE");
        add("wrong-type", "A rollback authorization presented as release metadata.",
                "root-v1.json", List.of(), "rollback-to-1.1.0.json", null, null, arm, "WRONG_TYPE");
        add("root-rotation", "Root v1 -> v2 -> v3, then a release by release-2, which v2 introduced.",
                "root-v1.json", List.of("root-v2.json", "root-v3.json"), "release-by-release-2.json", null, null, arm, "ok");
        add("new-release-key-before-rotation", "A release by release-2 while the device still trusts only root v1.",
                "root-v1.json", List.of(), "release-by-release-2.json", null, null, arm, "UNKNOWN_KEY");
        add("broken-root-chain", "A root v2 signed only by keys root v1 does not list.",
                "root-v1.json", List.of("root-v2-broken.json"), null, null, null, arm, "UNKNOWN_KEY");
        add("root-version-skip", "Root v3 offered directly after v1: v1's root threshold did not sign it.",
                "root-v1.json", List.of("root-v3.json"), null, null, null, arm, "THRESHOLD_NOT_MET");
        add("root-replay", "Root v1 offered again as an update of v1: validly signed, but not version 2.",
                "root-v1.json", List.of("root-v1.json"), null, null, null, arm, "ROOT_VERSION");
        add("revoked-release-key", "Root v2 drops release-1; a release signed by it is refused after the update.",
                "root-v1.json", List.of("root-v2.json"), "release-valid.json", null, null, arm, "UNKNOWN_KEY");
        add("root-expired", "The trusted root expired before now: nothing verifies until the root is updated.",
                "root-expired-v1.json", List.of(), "release-valid.json", null, null, arm, "ROOT_EXPIRED");
        add("content-digest-mismatch", "One bit of the content flipped.",
                "root-v1.json", List.of(), "release-valid.json", null, "artifact-tampered.bin", arm, "DIGEST_MISMATCH");
        add("content-short", "The content stops one byte early.",
                "root-v1.json", List.of(), "release-valid.json", null, "artifact-short.bin", arm, "SIZE_MISMATCH");
        add("content-long", "The content goes on one byte past the signed size.",
                "root-v1.json", List.of(), "release-valid.json", null, "artifact-long.bin", arm, "ENDLESS_DATA");
    }

    private static Map<String, Object> expect(String arch, Long installedCounter) {
        DeviceFacts d = Fixtures.device(arch);
        // The vectors describe a device with one runtime (their format predates devices with several).
        Map.Entry<String, String> runtime = d.runtimes().entrySet().iterator().next();
        Map<String, Object> device = Fields.orderedMap("arch", d.arch(), "accelerators", d.accelerators(),
                "runtime", runtime.getKey(), "runtimeVersion", runtime.getValue(), "memoryMb", d.memoryMb(), "os", d.os());
        return Fields.orderedMap("tenant", "default", "model", "kws", "device", device,
                "installedReleaseCounter", installedCounter, "maxDownloadBytes", Fixtures.MAX_DOWNLOAD);
    }

    private void add(String name, String description, String initialRoot, List<String> rootUpdates, String release,
                     String rollback, String content, Map<String, Object> expect, String outcome) {
        vectors.add(Fields.orderedMap("name", name, "description", description, "initialRoot", initialRoot,
                "rootUpdates", rootUpdates, "release", release, "rollbackAuthorization", rollback, "content", content,
                "expect", expect, "outcome", outcome));
    }

    private byte[] manifest() {
        Map<String, Object> keys = new TreeMap<>();
        for (String name : KEY_NAMES) {
            byte[] raw = Ed25519.rawPublicKey(Fixtures.key(name).getPublic());
            keys.put(name, Fields.orderedMap("seed", HexFormat.of().formatHex(Fixtures.seed(name)),
                    "keyid", Ed25519.keyId(raw), "public", Base64.getEncoder().encodeToString(raw)));
        }
        Map<String, Object> manifest = Fields.orderedMap(
                "description", "Modelyard trust test vectors. For each vector: trust initialRoot, apply rootUpdates in "
                        + "order, verify release against expect at time now with the allowed skew, then verify content "
                        + "against the release. outcome is ok or the reason of the first failure; a file that is not a valid "
                        + "envelope counts as MALFORMED.",
                "specVersion", (long) SignedMetadata.SPEC_VERSION,
                "now", Fields.formatTime(Fixtures.NOW),
                "allowedSkewSeconds", Fixtures.SKEW.toSeconds(),
                "keys", keys,
                "vectors", vectors);
        return CanonicalJson.toPrettyString(manifest).getBytes(StandardCharsets.UTF_8);
    }

    private void envelope(String name, SignedMetadata doc, String... keys) {
        files.put(name, Fixtures.signer(keys).sign(doc).toJsonBytes());
    }

    private static Fixtures.Release release() {
        Fixtures.Release r = new Fixtures.Release(CONTENT);
        r.target(new TargetDescriptor("onnx", "onnxruntime", ">=1.17", "aarch64", "cpu", "int8", 256, "linux"));
        return r;
    }

    /** The same file with the first hex digit of artifact.sha256 changed: one byte, signature now wrong. */
    private static byte[] tamperDigest(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        String marker = "\"sha256\": \"";
        int at = text.indexOf(marker) + marker.length();
        char replacement = text.charAt(at) == '0' ? '1' : '0';
        return (text.substring(0, at) + replacement + text.substring(at + 1)).getBytes(StandardCharsets.UTF_8);
    }

    /** The same file with artifact.size written as a fraction, which the format forbids. */
    private static byte[] fractionalSize(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        String size = "\"size\": " + CONTENT.length;
        if (!text.contains(size)) throw new IllegalStateException("no " + size + " in release-valid.json");
        return text.replace(size, size + ".0").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] content() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 64; i++) sb.append(String.format("Modelyard trust test vector artifact, line %02d\n", i));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
