package dev.modelyard.device.ddi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.device.SignedReleases;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.device.health.HealthPolicy;
import dev.modelyard.device.install.Installer;
import dev.modelyard.device.runtime.InferenceException;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.SelfTest;
import dev.modelyard.device.runtime.Tensor;
import dev.modelyard.device.store.ModelStore;
import dev.modelyard.wire.ddi.ServingHealth;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health window with the real runtime, store and journal, and clocks the test moves. */
class HealthWatchTest {

    static final HealthPolicy POLICY = new HealthPolicy(Duration.ofSeconds(60), 0.05, 3.0, 20);

    @TempDir
    Path dir;
    final SignedReleases signed = new SignedReleases();
    final FakeClock clock = new FakeClock();
    ModelStore store;
    ModelRuntime runtime;
    Installer installer;
    ActionJournal journal;
    HealthWatch watch;

    @BeforeEach
    void setUp() {
        start(POLICY);
    }

    /** What the daemon does at start: open everything from disk. */
    private void start(HealthPolicy policy) {
        store = new ModelStore(dir.resolve("models"));
        runtime = new ModelRuntime(dev.modelyard.device.TestEngines.all(), 1);
        installer = new Installer(store, runtime, signed.trust(), SignedReleases.DEVICE, "default", Clock.systemUTC(),
                Duration.ofMinutes(5), 1L << 30);
        journal = new ActionJournal(dir.resolve("actions.json"));
        watch = new HealthWatch(journal, installer, runtime, policy, clock, clock::nanos);
    }

    @AfterEach
    void tearDown() {
        runtime.close();
    }

    private void install(String action, String version, long counter, byte[] model) throws Exception {
        SignedReleases.Release r = signed.release(dir, version, counter, model);
        if (action != null) watch.beforeSwap(action, "kws", version, 1);
        installer.install("kws", installer.checkRelease("kws", r.json(), null), r.file(), SelfTest.NONE);
    }

    private void requests(int n, int rows) {
        for (int i = 0; i < n; i++) {
            try {
                runtime.infer("kws", Map.of("x", Tensor.of(new float[4 * rows], rows, 4)));
            } catch (InferenceException expectedForSome) {
                // counted by the runtime
            }
        }
    }

    private String served() {
        return runtime.info("kws").orElseThrow().version();
    }

    @Test
    void aVersionFailingRealRequestsIsRolledBackAndTheActionFails() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        requests(50, 2);
        install("a2", "2.0.0", 2, OnnxModels.addBiasOneRowOnly(2, 2, 2, 2));
        assertTrue(watch.startWatching("a2"));
        requests(19, 2);
        assertEquals(List.of(), watch.check(), "19 requests are too few to judge");
        requests(1, 2);

        List<HealthWatch.Decided> decided = watch.check();
        assertEquals(1, decided.size());
        assertEquals(new ActionJournal.Outcome("closed", "failure",
                "rolled back to 1.0.0: kws 2.0.0: error rate 1.00 > 0.05 in health window (20 of 20 requests failed)"),
                decided.get(0).outcome());
        assertEquals("1.0.0", served());
        assertEquals("1.0.0", store.slots("kws").current().version());
        assertEquals(decided.get(0).outcome(), journal.outcome("a2").orElseThrow());
        assertTrue(journal.openActions().isEmpty());
        assertFalse(watch.watching());
    }

    static final dev.modelyard.wire.TargetDescriptor TFLITE = dev.modelyard.wire.TargetDescriptor.of("tflite", null, null, null, null, null, null, null);

    @Test
    void aTfliteVersionIsWatchedAndComesBackByRollbackLikeAnOnnxOne() throws Exception {
        dev.modelyard.testing.TfliteMlp v1 = dev.modelyard.testing.TfliteMlp.seeded(1, 4, 8, 4);
        SignedReleases.Release r1 = signed.release(dir, "1.0.0", 1, v1.float32(), TFLITE);
        installer.install("kws", installer.checkRelease("kws", r1.json(), null), r1.file(), SelfTest.NONE);
        assertEquals("tflite", runtime.info("kws").orElseThrow().runtime());
        // 2.0.0 is an ONNX model that fails every request of two rows: the window rolls it back.
        install("a2", "2.0.0", 2, OnnxModels.addBiasOneRowOnly(2, 2, 2, 2));
        assertTrue(watch.startWatching("a2"));
        requests(20, 2);
        assertEquals("failure", watch.check().get(0).outcome().finished());
        assertEquals("1.0.0", served());
        assertEquals("tflite", runtime.info("kws").orElseThrow().runtime());
        float[] x = v1.input(3);
        float[] y = (float[]) runtime.infer("kws", Map.of("input", Tensor.of(x, 1, 4))).outputs().get("output").data();
        org.junit.jupiter.api.Assertions.assertArrayEquals(v1.run(x), y, 1e-5f);
        // And a restart serves it again from the store, by the runtime its signed target names.
        runtime.close();
        start(POLICY);
        installer.restore();
        assertEquals("tflite", runtime.info("kws").orElseThrow().runtime());
        assertEquals("1.0.0", served());
    }

    @Test
    void aReleaseForARuntimeThisDeviceLacksIsRefusedBeforeDownload() throws Exception {
        SignedReleases.Release r = signed.release(dir, "1.0.0", 1, new byte[]{1, 2, 3},
                dev.modelyard.wire.TargetDescriptor.of("tflite", "armnn", null, null, null, null, null, null));
        Installer.Refused refused = assertThrows(Installer.Refused.class,
                () -> installer.checkRelease("kws", r.json(), null));
        assertTrue(refused.getMessage().contains("runtime armnn"), refused.getMessage());
    }

    @Test
    void aHealthyVersionIsConfirmedOnlyAfterTheWindow() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        assertTrue(watch.startWatching("a2"));
        requests(100, 3);
        clock.advance(Duration.ofSeconds(59));
        assertEquals(List.of(), watch.check());
        assertTrue(watch.watching());
        clock.advance(Duration.ofSeconds(1));
        List<HealthWatch.Decided> decided = watch.check();
        assertEquals("success", decided.get(0).outcome().finished());
        assertTrue(decided.get(0).outcome().message().startsWith("serving kws 2.0.0, healthy for 60 s: 100 requests"),
                decided.get(0).outcome().message());
        assertEquals("2.0.0", served());
    }

    @Test
    void aManualRollbackInTheWindowEndsTheActionAsFailed() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        watch.startWatching("a2");
        installer.rollback("kws");
        ActionJournal.Outcome o = watch.check().get(0).outcome();
        assertEquals("failure", o.finished());
        assertEquals("kws 2.0.0 was replaced during its health window (now serving 1.0.0)", o.message());
    }

    /** What a kill and a start of the daemon do: everything in memory is lost, the journal and the store are read again. */
    private void restart(HealthPolicy policy) {
        runtime.close();
        start(policy);
    }

    @Test
    void aRestartInTheWindowResumesItForTheTimeLeftWhateverTheWallClockDoes() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        watch.startWatching("a2");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(List.of(), watch.check());
        assertEquals(Duration.ofSeconds(30), journal.open("a2").orElseThrow().watched(), "served time is kept in the journal");
        restart(POLICY);

        assertEquals(List.of("action a2: kws 2.0.0 resumes its health window after restart 1 of at most 1 (30 s of 60 s left)"),
                watch.recover());
        assertEquals(List.of("kws: serving 2.0.0"), installer.restore());
        clock.jumpWallClock(Duration.ofDays(1));
        assertEquals(List.of(), watch.check(), "a wall-clock jump does not end the window");
        clock.advance(Duration.ofSeconds(29));
        assertEquals(List.of(), watch.check());
        clock.advance(Duration.ofSeconds(1));
        List<HealthWatch.Decided> decided = watch.check();
        assertEquals("success", decided.get(0).outcome().finished(), decided.toString());
        assertEquals("2.0.0", served());
    }

    @Test
    void aKillAfterTheSwapBeforeTheWindowStartedResumesTheWindowInsteadOfInstallingAgain() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        assertEquals(ActionJournal.Stage.INSTALLING, journal.open("a2").orElseThrow().stage());
        restart(POLICY);

        assertEquals(List.of("action a2: kws 2.0.0 resumes its health window after restart 1 of at most 1 (60 s of 60 s left)"),
                watch.recover());
        assertEquals(ActionJournal.Stage.WATCHING, journal.open("a2").orElseThrow().stage());
        assertTrue(watch.watching());
        assertEquals(List.of("kws: serving 2.0.0"), installer.restore());
    }

    @Test
    void oneRestartMoreThanAllowedRevertsTheUnconfirmedVersionBeforeLoadingIt() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        watch.startWatching("a2");
        restart(POLICY);
        assertEquals(1, watch.recover().size());
        installer.restore();
        restart(POLICY);

        assertEquals(List.of("action a2: failure: rolled back to 1.0.0: the updater restarted 2 times during the health window"
                + " (health.max.restarts=1)"), watch.recover());
        assertEquals("1.0.0", store.slots("kws").current().version());
        assertEquals(List.of("kws: serving 1.0.0"), installer.restore());
        assertEquals("failure", journal.outcome("a2").orElseThrow().finished());
        assertTrue(journal.openActions().isEmpty());
    }

    @Test
    void withNoRestartsAllowedTheFirstRestartReverts() throws Exception {
        HealthPolicy strict = new HealthPolicy(Duration.ofSeconds(60), 0.05, 3.0, 20, 0);
        restart(strict);
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        watch.startWatching("a2");
        restart(strict);

        assertEquals(List.of("action a2: failure: rolled back to 1.0.0: the updater restarted 1 times during the health window"
                + " (health.max.restarts=0)"), watch.recover());
        assertEquals("1.0.0", store.slots("kws").current().version());
    }

    @Test
    void aRestartBetweenTheSwapsOfAnActionRevertsTheFirstAndFailsIt() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        SignedReleases.Release r = signed.release(dir, "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        watch.beforeSwap("a2", "kws", "2.0.0", 2);
        installer.install("kws", installer.checkRelease("kws", r.json(), null), r.file(), SelfTest.NONE);
        restart(POLICY);

        assertEquals(List.of("action a2: failure: rolled back to 1.0.0: the updater restarted during the installation"), watch.recover());
        assertEquals("1.0.0", store.slots("kws").current().version());
    }

    /** What a process killed in the middle of a swap (warm-up or self-test) leaves: the intent journaled, the candidate staged. */
    private void crashDuringSwap(String action, String version, long counter) throws Exception {
        SignedReleases.Release r = signed.release(dir, version, counter, OnnxModels.addBias(2, 2, 2, 2));
        watch.beforeSwap(action, "kws", version, 1);
        store.stage("kws", r.file(), "kws.onnx", r.json(), version, counter,
                installer.checkRelease("kws", r.json(), null).metadata().artifact().sha256());
        restart(POLICY);
    }

    @Test
    void aRestartDuringTheSwapIsCountedAndTheActionRunsAgain() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        crashDuringSwap("a2", "2.0.0", 2);

        assertEquals(List.of("action a2: the updater restarted while installing kws 2.0.0 (restart 1 of at most 1); it runs again"),
                watch.recover());
        assertEquals(List.of("kws: serving 1.0.0"), installer.restore());
        assertTrue(journal.outcome("a2").isEmpty());
        assertEquals(1, journal.open("a2").orElseThrow().restarts());
        assertEquals(List.of(), journal.open("a2").orElseThrow().swapped(), "nothing of it is swapped in");

        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        assertEquals(1, journal.open("a2").orElseThrow().restarts(), "running again keeps the count");
        assertTrue(watch.startWatching("a2"));
        assertEquals("2.0.0", served());
    }

    @Test
    void oneRestartMoreThanAllowedDuringTheSwapFailsTheActionAndKeepsThePreviousVersion() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        crashDuringSwap("a2", "2.0.0", 2);
        assertEquals(1, watch.recover().size());
        installer.restore();
        crashDuringSwap("a2", "2.0.0", 2);

        assertEquals(List.of("action a2: failure: kws 2.0.0 not installed: the updater restarted 2 times while installing it"
                + " (health.max.restarts=1)"), watch.recover());
        assertEquals(List.of("kws: serving 1.0.0"), installer.restore());
        assertEquals("1.0.0", served());
        assertEquals("failure", journal.outcome("a2").orElseThrow().finished(), "recorded: the action is not installed again");
        assertTrue(journal.openActions().isEmpty());
    }

    @Test
    void aRestartAfterARestartedSwapBeforeTheNextOneIsNotCounted() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        crashDuringSwap("a2", "2.0.0", 2);
        watch.recover();
        restart(POLICY); // e.g. a power cut while the action downloads again

        assertEquals(List.of("action a2 was interrupted before its swap; it runs again"), watch.recover());
        assertEquals(1, journal.open("a2").orElseThrow().restarts());
    }

    @Test
    void withoutAWindowARestartAfterTheSwapConfirmsIt() throws Exception {
        runtime.close();
        start(HealthPolicy.OFF);
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        assertFalse(watch.startWatching("a2"));
        runtime.close();

        start(HealthPolicy.OFF);
        assertEquals(List.of("action a2: success: serving kws 2.0.0 (confirmed after a restart during the installation)"), watch.recover());
        assertEquals("2.0.0", store.slots("kws").current().version());
    }

    @Test
    void thePolicyRefusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new HealthPolicy(Duration.ofSeconds(-1), 0.05, 3, 20));
        assertThrows(IllegalArgumentException.class, () -> new HealthPolicy(Duration.ofSeconds(1), 1.5, 3, 20));
        assertThrows(IllegalArgumentException.class, () -> new HealthPolicy(Duration.ofSeconds(1), 0.05, 0.5, 20));
    }

    /** A wall clock and a monotonic ticker that move together, except when the wall clock jumps. */
    @Test
    void theWindowReportsRunningFiguresEveryIntervalAndTheFinalOnesWithTheOutcome() throws Exception {
        runtime.close();
        // Both versions serve enough for the latency rule, and their p99s are real measurements: on a
        // busy machine a pause can make one three times the other. This test is about the figures, not
        // the latency verdict (HealthJudgeTest covers that with set numbers), so its rule cannot trip.
        start(new HealthPolicy(Duration.ofSeconds(60), 0.05, Double.POSITIVE_INFINITY, 20, 1, Duration.ofSeconds(10)));
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        requests(50, 1);
        ModelRuntime.Stats old = runtime.stats("kws").orElseThrow();
        install("a2", "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        assertTrue(watch.startWatching("a2"));
        assertEquals(List.of(), watch.dueReports(), "nothing is due at the start of the window");
        requests(30, 1);
        clock.advance(Duration.ofSeconds(9));
        assertEquals(List.of(), watch.dueReports());
        clock.advance(Duration.ofSeconds(1));

        List<HealthWatch.Progress> due = watch.dueReports();
        assertEquals(1, due.size());
        assertEquals(Duration.ofSeconds(10), due.get(0).watched());
        ServingHealth h = due.get(0).health().get(0);
        assertEquals("kws", h.model());
        assertEquals("2.0.0", h.version());
        assertEquals("1.0.0", h.replacedVersion());
        assertEquals(10, h.servedSeconds());
        assertEquals(30, h.requests());
        assertEquals(0, h.errors());
        assertEquals(old.p99Nanos() / 1e6, h.baselineP99Ms(), 1e-9);
        assertTrue(h.p50Ms() > 0 && h.p50Ms() <= h.p99Ms(), h.toString());
        assertEquals(h.p99Ms() / h.baselineP99Ms(), h.p99Ratio(), 1e-9);
        assertEquals("none", h.selfTest());
        assertFalse(h.complete());
        assertEquals(List.of(), h.problems());
        assertEquals(List.of(), watch.dueReports(), "reported: the next is due an interval later");
        clock.advance(Duration.ofSeconds(10));
        assertEquals(20, watch.dueReports().get(0).health().get(0).servedSeconds());

        clock.advance(Duration.ofSeconds(40));
        HealthWatch.Decided decided = watch.check().get(0);
        assertEquals("success", decided.outcome().finished());
        ServingHealth last = decided.health().get(0);
        assertTrue(last.complete());
        assertEquals(60, last.servedSeconds());
        assertEquals(30, last.requests());
        assertEquals(decided.health(), journal.health("a2"), "kept to be sent again if the report is lost");
        assertEquals(List.of(), watch.dueReports(), "a decided action reports no more");
    }

    @Test
    void afterAnAutomaticRollbackTheFinalFiguresDescribeTheVersionThatFailed() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        requests(50, 2);
        install("a2", "2.0.0", 2, OnnxModels.addBiasOneRowOnly(2, 2, 2, 2));
        assertTrue(watch.startWatching("a2"));
        requests(5, 1);
        requests(20, 2);

        HealthWatch.Decided decided = watch.check().get(0);
        assertEquals("failure", decided.outcome().finished());
        assertEquals("1.0.0", served(), "rolled back");
        ServingHealth failed = decided.health().get(0);
        assertEquals("2.0.0", failed.version());
        assertEquals("1.0.0", failed.replacedVersion());
        assertEquals(25, failed.requests());
        assertEquals(20, failed.errors());
        assertTrue(failed.complete());
        assertEquals(List.of(), failed.problems());
    }

    @Test
    void aSwapThatRunsTheSelfTestReportsItPassedAndOneItRefusedReportsItFailed() throws Exception {
        install(null, "1.0.0", 1, OnnxModels.addBias(1, 1, 1, 1));
        SignedReleases.Release r = signed.release(dir, "2.0.0", 2, OnnxModels.addBias(2, 2, 2, 2));
        watch.beforeSwap("a2", "kws", "2.0.0", 1, true);
        installer.install("kws", installer.checkRelease("kws", r.json(), null), r.file(), SelfTest.NONE);
        assertTrue(watch.startWatching("a2"));
        clock.advance(Duration.ofSeconds(60));
        assertEquals("passed", watch.check().get(0).health().get(0).selfTest());

        // Without a window the action closes at the swap, with what little there is to say.
        watch.beforeSwap("a4", "kws", "2.0.0", 1, true);
        ServingHealth atClose = watch.figuresAtClose("a4").get(0);
        assertEquals("passed", atClose.selfTest());
        assertTrue(atClose.complete());
        assertEquals(0, atClose.servedSeconds());
        assertEquals(List.of(), watch.figuresAtClose("never-swapped"));

        watch.beforeSwap("a3", "kws", "3.0.0", 1, true);
        ServingHealth refused = watch.selfTestFailed("a3").get(0);
        assertEquals(new ServingHealth("kws", "3.0.0", "2.0.0", 0, 0, 0, null, null, null, null, "failed", true), refused);
        assertEquals(List.of(), watch.selfTestFailed("unknown"));
    }

    static final class FakeClock extends Clock {
        private Instant now = Instant.parse("2026-06-01T12:00:00Z");
        private long nanos = 123_456_789;

        void advance(Duration d) {
            now = now.plus(d);
            nanos += d.toNanos();
        }

        void jumpWallClock(Duration d) {
            now = now.plus(d);
        }

        long nanos() {
            return nanos;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
