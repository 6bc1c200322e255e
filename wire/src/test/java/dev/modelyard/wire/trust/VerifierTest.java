package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.VerificationException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifierTest {

    private static final byte[] CONTENT = "pretend this is an ONNX model\n".repeat(40).getBytes(StandardCharsets.US_ASCII);
    private static final SignedEnvelope ROOT = Fixtures.signer("root-a", "root-b").sign(
            Fixtures.root(1, Fixtures.ROOT_EXPIRES, List.of("root-a", "root-b"), 2, List.of("release-1"), 1));

    private final Verifier verifier;

    VerifierTest() throws VerificationException {
        verifier = new Verifier(new TrustStore(ROOT));
    }

    private static Fixtures.Release release() {
        return new Fixtures.Release(CONTENT);
    }

    private static SignedEnvelope signed(Fixtures.Release release, String... keys) {
        return Fixtures.signer(keys.length == 0 ? new String[] {"release-1"} : keys).sign(release.build());
    }

    private VerificationException failure(SignedEnvelope release, Expectations expect) {
        return assertThrows(VerificationException.class, () -> verifier.verifyRelease(release, expect));
    }

    private Reason reason(SignedEnvelope release, Expectations expect) {
        return failure(release, expect).reason();
    }

    private static SignedEnvelope rollback(String version, long counter, Instant issued, Instant expires, String key) {
        return Fixtures.signer(key).sign(new RollbackAuthorization("default", "kws", version, counter, issued, expires));
    }

    @Test
    void acceptsAValidReleaseAndItsContent() throws Exception {
        SignedEnvelope env = signed(release());
        VerifiedRelease ok = verifier.verifyRelease(env, Fixtures.expect());
        assertEquals(release().build(), ok.metadata());
        assertEquals(env, ok.envelope());
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        Verifier.verifyContent(ok, new ByteArrayInputStream(CONTENT), copy);
        assertArrayEquals(CONTENT, copy.toByteArray());
    }

    @Test
    void acceptsTheReleaseAfterAJsonRoundTrip() throws Exception {
        SignedEnvelope env = SignedEnvelope.parse(signed(release()).toJson());
        verifier.verifyRelease(env, Fixtures.expect());
    }

    @Test
    void rejectsAnyChangeToTheSignedContent() {
        SignedEnvelope env = signed(release());
        Map<String, Object> tampered = new HashMap<>(env.signed());
        tampered.put("releaseCounter", 8L);
        VerificationException e = failure(new SignedEnvelope(tampered, env.signatures()), Fixtures.expect());
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
        assertTrue(e.getMessage().contains(Fixtures.keyId("release-1")), e.getMessage());
    }

    @Test
    void rejectsKeysTheReleaseRoleDoesNotList() {
        assertEquals(Reason.UNKNOWN_KEY, reason(signed(release(), "attacker"), Fixtures.expect()));
        // Root keys are trusted, but not for releases.
        assertEquals(Reason.UNKNOWN_KEY, reason(signed(release(), "root-a"), Fixtures.expect()));
        assertEquals(Reason.THRESHOLD_NOT_MET,
                reason(new SignedEnvelope(release().build().toMap(), List.of()), Fixtures.expect()));
    }

    @Test
    void ignoresUnknownKeysNextToAValidSignature() throws Exception {
        verifier.verifyRelease(signed(release(), "attacker", "release-1"), Fixtures.expect());
    }

    @Test
    void rejectsABadSignatureByAListedKeyEvenNextToAGoodOne() throws Exception {
        Verifier twoKeys = new Verifier(new TrustStore(Fixtures.signer("root-a").sign(
                Fixtures.root(1, Fixtures.ROOT_EXPIRES, List.of("root-a"), 1, List.of("release-1", "release-2"), 1))));
        SignedEnvelope env = signed(release(), "release-1", "release-2");
        List<Signature> sigs = new ArrayList<>(env.signatures());
        byte[] broken = sigs.get(1).bytes();
        broken[0] ^= 1;
        sigs.set(1, Signature.of(sigs.get(1).keyid(), broken));
        VerificationException e = assertThrows(VerificationException.class,
                () -> twoKeys.verifyRelease(new SignedEnvelope(env.signed(), sigs), Fixtures.expect()));
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
    }

    @Test
    void countsDistinctKeysTowardsTheThreshold() throws Exception {
        Verifier twoOfTwo = new Verifier(new TrustStore(Fixtures.signer("root-a").sign(
                Fixtures.root(1, Fixtures.ROOT_EXPIRES, List.of("root-a"), 1, List.of("release-1", "release-2"), 2))));
        SignedEnvelope one = signed(release(), "release-1");
        List<Signature> twice = List.of(one.signatures().get(0), one.signatures().get(0));
        VerificationException e = assertThrows(VerificationException.class,
                () -> twoOfTwo.verifyRelease(new SignedEnvelope(one.signed(), twice), Fixtures.expect()));
        assertEquals(Reason.THRESHOLD_NOT_MET, e.reason());
        assertTrue(e.getMessage().contains("1 valid signature(s) by distinct release keys, 2 required"), e.getMessage());
        twoOfTwo.verifyRelease(signed(release(), "release-2", "release-1"), Fixtures.expect());
    }

    @Test
    void rejectsOtherDocumentTypes() {
        SignedEnvelope auth = rollback("1.1.0", 5, Fixtures.ISSUED, Fixtures.EXPIRES, "release-1");
        assertEquals(Reason.WRONG_TYPE, reason(auth, Fixtures.expect()));
        Map<String, Object> incomplete = new HashMap<>(release().build().toMap());
        incomplete.remove("expiresAt");
        VerificationException e = failure(Fixtures.signer("release-1").sign(incomplete), Fixtures.expect());
        assertEquals(Reason.MALFORMED, e.reason());
        assertEquals("release: artifact metadata: expiresAt: is required", e.getMessage());
    }

    @Test
    void appliesTheClockSkewToExpiry() throws Exception {
        Instant edge = Fixtures.NOW.minus(Fixtures.SKEW);
        verifier.verifyRelease(signed(release().window(Fixtures.ISSUED, edge)), Fixtures.expect());
        VerificationException e = failure(signed(release().window(Fixtures.ISSUED, edge.minusSeconds(1))), Fixtures.expect());
        assertEquals(Reason.EXPIRED, e.reason());
        assertTrue(e.getMessage().contains("expired at 2026-06-01T11:54:59Z"), e.getMessage());
    }

    @Test
    void appliesTheClockSkewToIssueTime() throws Exception {
        Instant edge = Fixtures.NOW.plus(Fixtures.SKEW);
        verifier.verifyRelease(signed(release().window(edge, Fixtures.EXPIRES)), Fixtures.expect());
        assertEquals(Reason.NOT_YET_VALID,
                reason(signed(release().window(edge.plusSeconds(1), Fixtures.EXPIRES)), Fixtures.expect()));
    }

    @Test
    void refusesReleasesUnderAnExpiredRootUntilItIsUpdated() throws Exception {
        TrustStore store = new TrustStore(Fixtures.signer("root-a").sign(
                Fixtures.root(1, Instant.parse("2026-01-01T00:00:00Z"), List.of("root-a"), 1, List.of("release-1"), 1)));
        Verifier stale = new Verifier(store);
        VerificationException e = assertThrows(VerificationException.class,
                () -> stale.verifyRelease(signed(release()), Fixtures.expect()));
        assertEquals(Reason.ROOT_EXPIRED, e.reason());
        store.updateRoot(Fixtures.signer("root-a").sign(
                Fixtures.root(2, Fixtures.ROOT_EXPIRES, List.of("root-a"), 1, List.of("release-1"), 1)));
        stale.verifyRelease(signed(release()), Fixtures.expect());
    }

    @Test
    void rejectsMetadataForAnotherTenantOrModel() {
        assertEquals(Reason.MIX_AND_MATCH, reason(signed(release().model("vad")), Fixtures.expect()));
        assertEquals(Reason.MIX_AND_MATCH, reason(signed(release().tenant("acme")), Fixtures.expect()));
        assertEquals(Reason.MIX_AND_MATCH,
                reason(signed(release()), Fixtures.expect("default", "vad", Fixtures.device("aarch64"))));
    }

    @Test
    void rejectsTargetsTheDeviceCannotRun() throws Exception {
        DeviceFacts x86 = Fixtures.device("x86_64");
        VerificationException e = failure(signed(release()), Fixtures.expect("default", "kws", x86));
        assertEquals(Reason.WRONG_TARGET, e.reason());
        assertTrue(e.getMessage().endsWith("arch aarch64 (device is x86_64)"), e.getMessage());
        verifier.verifyRelease(signed(release().target(Fixtures.target("any"))), Fixtures.expect("default", "kws", x86));

        Map<TargetDescriptor, String> unmet = Map.of(
                new TargetDescriptor("onnx", "onnxruntime", null, "aarch64", "npu", "int8", null, null), "accelerator npu",
                new TargetDescriptor("tflite", "tflite", null, "aarch64", "cpu", "int8", null, null), "runtime tflite",
                new TargetDescriptor("onnx", "onnxruntime", ">=1.19", "aarch64", "cpu", "int8", null, null), "runtime version >=1.19",
                new TargetDescriptor("onnx", "onnxruntime", null, "aarch64", "cpu", "int8", 2048, null), "memory 2048 MB",
                new TargetDescriptor("onnx", "onnxruntime", null, "aarch64", "cpu", "int8", null, "android"), "os android");
        for (Map.Entry<TargetDescriptor, String> c : unmet.entrySet()) {
            VerificationException f = failure(signed(release().target(c.getKey())), Fixtures.expect());
            assertEquals(Reason.WRONG_TARGET, f.reason());
            assertTrue(f.getMessage().contains(c.getValue()), f.getMessage());
        }
        DeviceFacts npu = new DeviceFacts("aarch64", List.of("cpu", "npu"), "onnxruntime", "1.19.2", 4096, "android");
        verifier.verifyRelease(signed(release().target(
                new TargetDescriptor("onnx", "onnxruntime", ">=1.19,<2", "aarch64", "npu", "int8", 2048, "android"))),
                Fixtures.expect("default", "kws", npu));
    }

    @Test
    void listsEveryUnmetRequirement() {
        DeviceFacts small = new DeviceFacts("armv7", List.of("cpu"), "onnxruntime", "1.16.0", 128, null);
        assertEquals(List.of("arch aarch64 (device is armv7)", "runtime version >=1.17 (device has 1.16.0)",
                "memory 256 MB (device has 128 MB)"), small.unmetRequirements(Fixtures.target("aarch64")));
    }

    @Test
    void cpuFeaturesUseTheReportedVocabulary() {
        DeviceFacts arm = new DeviceFacts("aarch64", List.of("cpu"), Map.of("onnxruntime", "1.20.0"),
                java.util.Set.of("asimd", "asimddp", "vendorx"), 1024, null);
        assertEquals(java.util.Set.of("dotprod", "neon"), arm.cpuFeatures());
        TargetDescriptor neon = new TargetDescriptor("onnx", "onnxruntime", null, "aarch64", "cpu", "int8", null, null,
                List.of("neon"));
        assertEquals(List.of(), arm.unmetRequirements(neon));
        // Signed by a newer server with a name this side does not know: it fits no device, and says so.
        TargetDescriptor newer = new TargetDescriptor("onnx", "onnxruntime", null, "aarch64", "cpu", "int8", null, null,
                List.of("i8mm", "sme3"));
        List<String> unmet = arm.unmetRequirements(newer);
        assertEquals(2, unmet.size(), unmet.toString());
        assertTrue(unmet.get(0).startsWith("cpu features sme3 (not known CPU features; this device knows "), unmet.get(0));
        assertEquals("cpu features i8mm (device has dotprod, neon)", unmet.get(1));
    }

    @Test
    void refusesALowerCounterWithoutAuthorization() throws Exception {
        SignedEnvelope v110 = signed(release().version("1.1.0", 5));
        VerificationException e = failure(v110, Fixtures.expect().withInstalled(7L, null));
        assertEquals(Reason.ROLLBACK, e.reason());
        assertEquals("release default/kws 1.1.0 (counter 5): counter is below the installed 7 and no rollback "
                + "authorization was supplied", e.getMessage());
        verifier.verifyRelease(v110, Fixtures.expect().withInstalled(5L, null));
        verifier.verifyRelease(v110, Fixtures.expect().withInstalled(null, null));
    }

    @Test
    void allowsARollbackAuthorizedForExactlyThatRelease() throws Exception {
        SignedEnvelope v110 = signed(release().version("1.1.0", 5));
        Instant issued = Instant.parse("2026-05-30T00:00:00Z");
        Instant expires = Instant.parse("2026-06-30T00:00:00Z");
        verifier.verifyRelease(v110, Fixtures.expect().withInstalled(7L, rollback("1.1.0", 5, issued, expires, "release-1")));

        assertEquals(Reason.ROLLBACK, reason(v110,
                Fixtures.expect().withInstalled(7L, rollback("1.1.0", 4, issued, expires, "release-1"))));
        assertEquals(Reason.ROLLBACK, reason(v110,
                Fixtures.expect().withInstalled(7L, rollback("1.0.0", 5, issued, expires, "release-1"))));
        assertEquals(Reason.UNKNOWN_KEY, reason(v110,
                Fixtures.expect().withInstalled(7L, rollback("1.1.0", 5, issued, expires, "attacker"))));
        VerificationException e = failure(v110, Fixtures.expect().withInstalled(7L,
                rollback("1.1.0", 5, issued, Instant.parse("2026-05-31T00:00:00Z"), "release-1")));
        assertEquals(Reason.EXPIRED, e.reason());
        assertTrue(e.getMessage().startsWith("rollback authorization: expired"), e.getMessage());
        // A release envelope is no authorization, even one for the same version.
        assertEquals(Reason.WRONG_TYPE, reason(v110, Fixtures.expect().withInstalled(7L, v110)));
    }

    @Test
    void refusesArtifactsLargerThanTheDeviceAccepts() throws Exception {
        verifier.verifyRelease(signed(release().size(Fixtures.MAX_DOWNLOAD)), Fixtures.expect());
        VerificationException e = failure(signed(release().size(Fixtures.MAX_DOWNLOAD + 1)), Fixtures.expect());
        assertEquals(Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().endsWith("artifact is 1073741825 bytes, the device accepts at most 1073741824"),
                e.getMessage());
    }

    @Test
    void checksContentSizeAndDigest() throws Exception {
        VerifiedRelease ok = verifier.verifyRelease(signed(release()), Fixtures.expect());
        byte[] shorter = Arrays.copyOf(CONTENT, CONTENT.length - 1);
        assertEquals(Reason.SIZE_MISMATCH, contentFailure(ok, shorter));
        assertEquals(Reason.ENDLESS_DATA, contentFailure(ok, Arrays.copyOf(CONTENT, CONTENT.length + 1)));
        byte[] flipped = CONTENT.clone();
        flipped[CONTENT.length / 2] ^= 1;
        assertEquals(Reason.DIGEST_MISMATCH, contentFailure(ok, flipped));
        assertEquals(Reason.SIZE_MISMATCH, contentFailure(ok, new byte[0]));
    }

    private static Reason contentFailure(VerifiedRelease release, byte[] content) {
        return assertThrows(VerificationException.class,
                () -> Verifier.verifyContent(release, new ByteArrayInputStream(content))).reason();
    }

    @Test
    void stopsReadingAnEndlessStreamRightAfterTheSignedSize() throws Exception {
        VerifiedRelease ok = verifier.verifyRelease(signed(release()), Fixtures.expect());
        long[] served = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return 'x';
            }
        };
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        VerificationException e = assertThrows(VerificationException.class, () -> Verifier.verifyContent(ok, endless, sink));
        assertEquals(Reason.ENDLESS_DATA, e.reason());
        assertEquals(CONTENT.length + 1, served[0]);
        assertEquals(CONTENT.length, sink.size());
    }

    @Test
    void checksFiles(@TempDir Path dir) throws Exception {
        VerifiedRelease ok = verifier.verifyRelease(signed(release()), Fixtures.expect());
        Path good = Files.write(dir.resolve("good.onnx"), CONTENT);
        Verifier.verifyFile(ok, good);
        Path longer = Files.write(dir.resolve("longer.onnx"), Arrays.copyOf(CONTENT, CONTENT.length + 10));
        assertEquals(Reason.SIZE_MISMATCH, assertThrows(VerificationException.class, () -> Verifier.verifyFile(ok, longer)).reason());
        byte[] flipped = CONTENT.clone();
        flipped[0] ^= 1;
        Path bad = Files.write(dir.resolve("bad.onnx"), flipped);
        assertEquals(Reason.DIGEST_MISMATCH, assertThrows(VerificationException.class, () -> Verifier.verifyFile(ok, bad)).reason());
    }

    @Test
    void validatesExpectations() {
        assertThrows(IllegalArgumentException.class, () -> new Expectations("default", "kws", Fixtures.device("aarch64"), null,
                null, Fixtures.CLOCK, Duration.ofSeconds(-1), 1));
        assertThrows(IllegalArgumentException.class, () -> new DeviceFacts("any", List.of("cpu"), "onnxruntime", "1.18.0", 1, null));
        assertThrows(IllegalArgumentException.class, () -> new DeviceFacts("aarch64", List.of(), "onnxruntime", "1.18.0", 1, null));
    }
}
