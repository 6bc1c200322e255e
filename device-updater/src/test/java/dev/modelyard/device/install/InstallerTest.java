package dev.modelyard.device.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.OnnxModels;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.SelfTest;
import dev.modelyard.device.runtime.Tensor;
import dev.modelyard.device.store.ModelStore;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.DeviceFacts;
import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.RollbackAuthorization;
import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.Signer;
import dev.modelyard.wire.trust.TrustStore;
import dev.modelyard.wire.trust.VerifiedRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallerTest {

    static final KeyPair ROOT = Ed25519.generate();
    static final KeyPair RELEASE = Ed25519.generate();
    static final DeviceFacts DEVICE = new DeviceFacts("x86_64", List.of("cpu"), "onnxruntime", "1.23.2", 2048, "linux");

    @TempDir
    Path dir;
    ModelStore store;
    ModelRuntime runtime;
    Installer installer;
    TrustStore trust;

    @BeforeEach
    void setUp() throws Exception {
        trust = new TrustStore(Signer.of(ROOT).sign(RootMetadata.create(1, Instant.now().plus(365, ChronoUnit.DAYS),
                List.of(ROOT.getPublic()), 1, List.of(RELEASE.getPublic()), 1)));
        store = new ModelStore(dir.resolve("models"));
        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);
        installer = installer(runtime);
    }

    private Installer installer(ModelRuntime rt) {
        return new Installer(store, rt, trust, DEVICE, "default", Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30);
    }

    @AfterEach
    void tearDown() {
        runtime.close();
    }

    /** A model file "downloaded" into place, and its release metadata signed by the release key. */
    record Release(Path file, String json) {
    }

    private Release release(String version, long counter, float bias, Instant issued, Instant expires) throws Exception {
        return release(version, counter, OnnxModels.addBias(bias, bias, bias, bias), issued, expires);
    }

    static Release release(Path dir, String version, long counter, byte[] bytes) throws Exception {
        Instant now = Instant.now();
        return release(dir, version, counter, bytes, now, now.plus(30, ChronoUnit.DAYS));
    }

    private Release release(String version, long counter, byte[] bytes, Instant issued, Instant expires) throws Exception {
        return release(dir, version, counter, bytes, issued, expires);
    }

    private static Release release(Path dir, String version, long counter, byte[] bytes, Instant issued, Instant expires) throws Exception {
        Path file = Files.write(dir.resolve("download-" + version + "-" + System.nanoTime()), bytes);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        ArtifactMetadata meta = new ArtifactMetadata("default", "kws", version, counter,
                new ArtifactMetadata.ArtifactFile("kws.onnx", sha, bytes.length),
                TargetDescriptor.of("onnx", null, ">=1.17", "any", "cpu", "fp32", null, null), issued, expires);
        return new Release(file, Signer.of(RELEASE).sign(meta).toJson());
    }

    private Release release(String version, long counter, float bias) throws Exception {
        Instant now = Instant.now();
        return release(version, counter, bias, now, now.plus(30, ChronoUnit.DAYS));
    }

    private ModelStore.Installed install(Release r, SelfTest test) throws Exception {
        VerifiedRelease verified = installer.checkRelease("kws", r.json(), null);
        return installer.install("kws", verified, r.file(), test);
    }

    private float served() throws Exception {
        return ((float[]) runtime.infer("kws", Map.of("x", Tensor.of(new float[]{0, 0, 0, 0}, 1, 4))).outputs().get("y").data())[0];
    }

    @Test
    void installsAndUpgrades() throws Exception {
        Release v1 = release("1.0.0", 1, 1);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(v1.file()));
        installer.install("kws", installer.checkRelease("kws", v1.json(), null), v1.file(), digest, SelfTest.NONE);
        assertEquals(1f, served());
        install(release("2.0.0", 2, 2), SelfTest.NONE);
        assertEquals(2f, served());
        assertEquals("2.0.0", store.slots("kws").current().version());
        assertEquals("1.0.0", store.slots("kws").previous().version());
    }

    private static SignedEnvelope rollback(KeyPair key, String version, long counter) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return Signer.of(key).sign(new RollbackAuthorization("default", "kws", version, counter, now, now.plus(30, ChronoUnit.DAYS)));
    }

    @Test
    void anOlderReleaseIsInstalledOnlyWithARollbackAuthorizationForExactlyIt() throws Exception {
        install(release("2.0.0", 2, 2), SelfTest.NONE);
        Release older = release("1.0.0", 1, 1);

        Installer.Refused without = assertThrows(Installer.Refused.class, () -> installer.checkRelease("kws", older.json(), null));
        assertTrue(without.getMessage().contains("ROLLBACK"), without.getMessage());
        // For another release of the model, or signed by a key the root does not name: refused the same.
        Installer.Refused other = assertThrows(Installer.Refused.class,
                () -> installer.checkRelease("kws", older.json(), rollback(RELEASE, "1.5.0", 1)));
        assertTrue(other.getMessage().contains("ROLLBACK"), other.getMessage());
        assertThrows(Installer.Refused.class,
                () -> installer.checkRelease("kws", older.json(), rollback(Ed25519.generate(), "1.0.0", 1)));
        assertEquals("2.0.0", store.slots("kws").current().version());

        VerifiedRelease allowed = installer.checkRelease("kws", older.json(), rollback(RELEASE, "1.0.0", 1));
        installer.install("kws", allowed, older.file(), SelfTest.NONE);
        assertEquals(1f, served());
        assertEquals("1.0.0", store.slots("kws").current().version());
    }

    @Test
    void everyAttackIsRefusedAndTheRunningModelStays() throws Exception {
        install(release("2.0.0", 2, 2), SelfTest.NONE);

        Release tampered = release("2.1.0", 3, 3);
        byte[] bytes = Files.readAllBytes(tampered.file());
        bytes[bytes.length - 1] ^= 1;
        Files.write(tampered.file(), bytes);
        Installer.Refused e1 = assertThrows(Installer.Refused.class, () -> install(tampered, SelfTest.NONE));
        assertTrue(e1.getMessage().contains("DIGEST_MISMATCH"), e1.getMessage());
        // The same with the digest the download computed as it wrote the file.
        Release tampered2 = release("2.1.0", 3, 3);
        Files.write(tampered2.file(), bytes);
        byte[] digestOfWhatArrived = MessageDigest.getInstance("SHA-256").digest(bytes);
        Installer.Refused e1b = assertThrows(Installer.Refused.class, () -> installer.install("kws",
                installer.checkRelease("kws", tampered2.json(), null), tampered2.file(), digestOfWhatArrived, SelfTest.NONE));
        assertTrue(e1b.getMessage().contains("DIGEST_MISMATCH"), e1b.getMessage());

        Instant past = Instant.now().minus(60, ChronoUnit.DAYS);
        Installer.Refused e2 = assertThrows(Installer.Refused.class,
                () -> install(release("2.2.0", 4, 4, past, past.plus(30, ChronoUnit.DAYS)), SelfTest.NONE));
        assertTrue(e2.getMessage().contains("EXPIRED"), e2.getMessage());

        Installer.Refused e3 = assertThrows(Installer.Refused.class, () -> install(release("1.0.0", 1, 1), SelfTest.NONE));
        assertTrue(e3.getMessage().contains("ROLLBACK"), e3.getMessage());

        SelfTest expectsNine = new SelfTest(List.of(new SelfTest.Case(Map.of("x", Tensor.of(new float[4], 1, 4)),
                Map.of("y", Tensor.of(new float[]{9, 9, 9, 9}, 1, 4)))), 1e-6);
        Installer.Refused e4 = assertThrows(Installer.Refused.class, () -> install(release("3.0.0", 5, 5), expectsNine));
        assertTrue(e4.getMessage().contains("self-test"), e4.getMessage());

        assertEquals(2f, served());
        assertEquals("2.0.0", store.slots("kws").current().version());
        assertEquals(null, store.slots("kws").candidate());
    }

    @Test
    void restartServesTheVerifiedCurrentAndFallsBackWhenItIsDamaged() throws Exception {
        install(release("1.0.0", 1, 1), SelfTest.NONE);
        install(release("2.0.0", 2, 2), SelfTest.NONE);
        runtime.close();

        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);
        installer = installer(runtime);
        assertEquals(List.of("kws: serving 2.0.0"), installer.restore());
        assertEquals(2f, served());
        runtime.close();

        // Bit rot in the current version's file: the previous one is served instead.
        Path current = store.file("kws", store.slots("kws").current());
        byte[] bytes = Files.readAllBytes(current);
        bytes[bytes.length / 2] ^= 1;
        Files.write(current, bytes);
        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);
        installer = installer(runtime);
        List<String> report = installer.restore();
        assertTrue(report.get(0).contains("serving previous 1.0.0"), report.toString());
        assertEquals(1f, served());
        assertEquals("1.0.0", store.slots("kws").current().version());
    }

    @Test
    void manualRollbackAndBack() throws Exception {
        install(release("1.0.0", 1, 1), SelfTest.NONE);
        install(release("2.0.0", 2, 2), SelfTest.NONE);
        assertEquals("1.0.0", installer.rollback("kws").version());
        assertEquals(1f, served());
        assertEquals("2.0.0", installer.rollback("kws").version());
        assertEquals(2f, served());
    }

    @Test
    void aRollbackFromAVersionNoLongerCurrentDoesNothing() throws Exception {
        install(release("1.0.0", 1, 1), SelfTest.NONE);
        install(release("2.0.0", 2, 2), SelfTest.NONE);
        assertEquals("1.0.0", installer.rollbackFrom("kws", "2.0.0").orElseThrow().version());
        assertTrue(installer.rollbackFrom("kws", "2.0.0").isEmpty(), "a second rollback must not bring 2.0.0 back");
        assertEquals(1f, served());
        assertEquals("1.0.0", store.slots("kws").current().version());
    }

    @Test
    void aCleanUpThatFailsAfterThePromotionStillServesAndReportsTheNewVersion() throws Exception {
        install(release("1.0.0", 1, 1), SelfTest.NONE);
        install(release("2.0.0", 2, 2), SelfTest.NONE);
        // Promoting 3.0.0 pushes 1.0.0 out of the slots: its folder is what the clean-up deletes.
        Path oldVersion = store.file("kws", store.slots("kws").previous()).getParent();
        makeUndeletable(oldVersion);

        ModelStore.Installed installed = install(release("3.0.0", 3, 3), SelfTest.NONE);

        assertEquals("3.0.0", installed.version());
        assertEquals(3f, served());
        assertEquals("3.0.0", store.slots("kws").current().version());
        assertEquals("2.0.0", store.slots("kws").previous().version());
        assertTrue(Files.exists(oldVersion), "the failed clean-up is only logged");
        assertEquals(List.of("kws: serving 3.0.0"), installer(runtime).restore(), "a restart finds what was reported");
        makeDeletable(oldVersion);
        assertEquals(List.of("kws: serving 3.0.0"), new Installer(new ModelStore(dir.resolve("models")), runtime, trust, DEVICE,
                "default", Clock.systemUTC(), Duration.ofMinutes(5), 1L << 30).restore());
        assertTrue(Files.notExists(oldVersion), "the next opening of the store removes what the clean-up left");
    }

    /**
     * Makes a folder's contents impossible to delete: a folder without write permission stops
     * an ordinary user, an immutable file (chattr +i) stops root. Skips the test where neither works.
     */
    private void makeUndeletable(Path folder) throws Exception {
        Path probe = Files.writeString(folder.resolve("probe"), "probe");
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) chattr("+i", f);
        }
        folder.toFile().setWritable(false, false);
        locked.add(folder);
        try {
            Files.delete(probe);
        } catch (java.io.IOException expected) {
            return;
        }
        Assumptions.abort("cannot make a folder undeletable here");
    }

    private void makeDeletable(Path folder) throws Exception {
        folder.toFile().setWritable(true, false);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) chattr("-i", f);
        }
        locked.remove(folder);
    }

    private static void chattr(String flag, Path file) throws Exception {
        try {
            new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (java.io.IOException noChattr) {
            // not installed: the folder's permission has to do
        }
    }

    /** Undone after each test, so that the temporary directory can be removed. */
    private final List<Path> locked = new java.util.ArrayList<>();

    @AfterEach
    void unlock() throws Exception {
        for (Path p : List.copyOf(locked)) makeDeletable(p);
    }

    @Test
    void aCandidateThatRunsOutOfMemoryIsRefusedAndDiscarded() throws Exception {
        runtime.close();
        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1, Long.MAX_VALUE);
        installer = installer(runtime);
        install(release("1.0.0", 1, 1), SelfTest.NONE);
        Release huge = release("2.0.0", 2, OnnxModels.identity(Integer.MAX_VALUE - 16), Instant.now(), Instant.now().plus(1, ChronoUnit.DAYS));
        Installer.Refused e = assertThrows(Installer.Refused.class, () -> install(huge, SelfTest.NONE));
        assertTrue(e.getMessage().contains("warm-up failed: out of memory"), e.getMessage());
        assertEquals(1f, served());
        assertEquals("1.0.0", store.slots("kws").current().version());
        assertEquals(null, store.slots("kws").candidate());
        // Nothing is left that keeps the next installation from succeeding.
        install(release("3.0.0", 3, 3), SelfTest.NONE);
        assertEquals(3f, served());
    }
}
