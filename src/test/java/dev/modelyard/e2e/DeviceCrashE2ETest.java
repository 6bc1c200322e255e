package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.Deployments;
import dev.modelyard.testing.OnnxModels;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The updater process killed with SIGKILL mid-download, after verification and during the swap,
 * then started again on the same data directory: it serves a complete, verified model from its
 * first answer (the old one or the new one, never nothing), converges to the assigned version,
 * and the action ends exactly once in the server's history. Killed in a health window, it resumes
 * the window once and rolls back on a second kill.
 */
class DeviceCrashE2ETest {

    static final Duration WAIT = ServerProcess.WAIT;
    /** Crash behaviour on its own (the health window has its own test); warm-up long enough to be killed in. */
    static final String[] CONFIG = {"health.window=0s", "warmup.runs=300"};

    @TempDir
    Path work;

    /** A 17 MB perceptron with a 4-wide input; for zeros it answers {@code bias}. */
    private static byte[] big(int seed, float bias) {
        return OnnxModels.mlp(4, 2048, 2, 4, seed, bias);
    }

    @Test
    void aKilledUpdaterComesBackServingAndConverges() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_device_crash", Map.of(), "128m", CONFIG)) {
            rig.startUpdater();
            rig.awaitAttributes();
            rig.release("1.0.0", OnnxModels.mlp(4, 64, 1, 4, 1, 1));
            rig.deploy("1.0.0");
            rig.awaitServed("1.0.0");
            rig.awaitClosed("1.0.0", WAIT);

            killMidDownload(rig);

            // Right after the download (the partial file is complete: verification is next), and
            // mid-swap (a candidate is staged in the store: loading and warming up), twice each.
            String previous = "2.0.0";
            List<String> killedIn = new ArrayList<>();
            boolean[] midSwap = {false, true, false, true};
            for (int i = 0; i < midSwap.length; i++) {
                String version = (3 + i) + ".0.0";
                byte[] model = big(3 + i, 3 + i);
                rig.release(version, model);
                rig.deploy(version);
                if (midSwap[i]) {
                    rig.await("a candidate of " + version + " is staged", WAIT, () -> candidateStaged(rig));
                } else {
                    rig.await("the download of " + version + " is complete", WAIT,
                            () -> partialBytes(rig) == model.length);
                }
                rig.killUpdater();
                killedIn.add(storeState(rig));
                if (midSwap[i]) assertEquals("mid-swap", killedIn.get(i));
                rig.startUpdater();
                DeviceRig.Answer first = firstAnswer(rig);
                assertTrue(first.equals(answerOf(previous)) || first.equals(answerOf(version)),
                        "after a kill (" + killedIn.get(i) + ") installing " + version + " the device answered " + first);
                converged(rig, version);
                previous = version;
            }
            System.out.println("where the kills landed: " + killedIn);

            killInHealthWindow(rig, previous);
        }
    }

    /**
     * Killed the moment the new version answers (where the store used to lag behind the runtime):
     * the version that served resumes its health window instead of being installed again, and the
     * action ends once. Then a crash loop in a window: the first restart resumes it, the second
     * goes back to the proven version before loading the new one, and the server learns why.
     */
    private void killInHealthWindow(DeviceRig rig, String proven) throws Exception {
        rig.killUpdater();
        // Long enough that the kill, right after the first answer, lands inside it on a busy machine.
        rig.configure("health.window=30s");
        rig.startUpdater();
        rig.release("9.0.0", OnnxModels.mlp(4, 64, 1, 4, 9, 9));
        rig.deploy("9.0.0");
        rig.awaitServed("9.0.0");
        rig.killUpdater();
        assertTrue(openInJournal(rig), "killed inside the health window");
        rig.startUpdater();
        assertEquals(answerOf("9.0.0"), firstAnswer(rig), "a version that served before the kill is served again");
        Deployments.Action resumed = rig.awaitClosed("9.0.0", WAIT);
        assertEquals("finished", resumed.status(), resumed.toString());
        assertEquals(1, rig.closings("9.0.0"), "the action ends exactly once");
        assertEquals(1, installings(rig, "9.0.0"), "no second installation after the kill");
        assertTrue(rig.updaterLog().contains("kws 9.0.0 resumes its health window after restart 1 of at most 1"), rig.updaterLog());

        rig.killUpdater();
        rig.configure("health.window=10m");
        rig.startUpdater();
        rig.release("10.0.0", OnnxModels.mlp(4, 64, 1, 4, 10, 10));
        rig.deploy("10.0.0");
        rig.awaitServed("10.0.0");
        rig.killUpdater();
        rig.startUpdater();
        assertEquals(answerOf("10.0.0"), firstAnswer(rig), "the first restart in a window resumes it");
        rig.killUpdater();
        rig.startUpdater();
        assertEquals(answerOf("9.0.0"), firstAnswer(rig), "the second restart in a window ends on the proven version");
        Deployments.Action action = rig.awaitClosed("10.0.0", WAIT);
        assertEquals("error", action.status(), action.toString());
        assertEquals("rolled back to 9.0.0: the updater restarted 2 times during the health window (health.max.restarts=1)",
                action.reason());
        assertEquals(1, rig.closings("10.0.0"));
        assertEquals(1, installings(rig, "10.0.0"));
    }

    /** Whether the updater's action journal has an open (unconfirmed) action. */
    private static boolean openInJournal(DeviceRig rig) throws IOException {
        JsonNode open = DeviceRig.JSON.readTree(rig.dataDir().resolve("actions.json").toFile()).path("open");
        return open.size() > 0;
    }

    /** How many times the device reported that it is installing {@code version}. */
    private static long installings(DeviceRig rig, String version) throws Exception {
        long n = 0;
        for (Deployments.Status s : rig.history(rig.action(version).id())) {
            if (s.messages().toString().contains("installing kws " + version)) n++;
        }
        return n;
    }

    /** Throttled to ten seconds so that the kill lands mid-download; after the restart the download resumes. */
    private void killMidDownload(DeviceRig rig) throws Exception {
        byte[] model = big(2, 2);
        rig.release("2.0.0", model);
        rig.killUpdater();
        rig.configure(CONFIG[0], CONFIG[1], "download.max.bytes.per.second=" + (model.length / 10));
        rig.startUpdater();
        assertEquals(answerOf("1.0.0"), firstAnswer(rig), "killed while idle, it serves what it served");
        rig.deploy("2.0.0");
        rig.await("the download is under way", WAIT, () -> partialBytes(rig) > model.length / 5);
        rig.killUpdater();
        long kept = partialBytes(rig);
        assertTrue(kept > 0 && kept < model.length, "killed mid-download: " + kept + " of " + model.length);
        // The killed daemon's last progress report, as the status command shows it.
        String status = rig.status();
        assertTrue(status.contains("kws: current 1.0.0") && status.contains("downloading kws 2.0.0 (kws.onnx): "), status);
        assertTrue(rig.updaterLog().contains("next poll in 1s, as poll.override sets"), rig.updaterLog());

        rig.configure(CONFIG);
        rig.startUpdater();
        assertEquals(answerOf("1.0.0"), firstAnswer(rig));
        converged(rig, "2.0.0");
    }

    private static DeviceRig.Answer answerOf(String version) {
        return new DeviceRig.Answer(version, Double.parseDouble(version.substring(0, version.indexOf('.'))));
    }

    private static void converged(DeviceRig rig, String version) throws Exception {
        rig.awaitServed(version);
        assertEquals(answerOf(version), DeviceRig.answer(rig.infer(1)));
        Deployments.Action action = rig.awaitClosed(version, WAIT);
        assertEquals("finished", action.status(), action.toString());
        assertEquals(1, rig.closings(version), "the action ends exactly once");
    }

    /** The first answer of the restarted daemon: it opens its API only once it serves what it restored. */
    private static DeviceRig.Answer firstAnswer(DeviceRig rig) throws Exception {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> r;
            try {
                r = rig.infer(1);
            } catch (IOException notListeningYet) {
                Thread.sleep(20);
                continue;
            }
            assertEquals(200, r.statusCode(), "the restarted device must serve a model: " + r.body());
            return DeviceRig.answer(r);
        }
        throw new AssertionError("the restarted device did not answer");
    }

    private static long partialBytes(DeviceRig rig) throws IOException {
        Path downloads = rig.dataDir().resolve("downloads");
        if (!Files.isDirectory(downloads)) return 0;
        try (Stream<Path> files = Files.list(downloads)) {
            return files.filter(p -> p.toString().endsWith(".part")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    /** Where the kill landed, from the store's journal: before staging, between staging and promotion, or after. */
    private static String storeState(DeviceRig rig) throws IOException {
        if (candidateStaged(rig)) return "mid-swap";
        return partialBytes(rig) > 0 ? "before staging" : "after promotion";
    }

    private static boolean candidateStaged(DeviceRig rig) {
        try {
            JsonNode slots = DeviceRig.JSON.readTree(rig.dataDir().resolve("models/kws/journal.json").toFile());
            return !slots.path("candidate").isNull() && !slots.path("candidate").isMissingNode();
        } catch (IOException replacedWhileReading) {
            return false;
        }
    }
}
