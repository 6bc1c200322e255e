package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.device.TestModels;
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
 * and the action ends exactly once in the server's history.
 */
class DeviceCrashE2ETest {

    /** Crash behaviour on its own (the health window has its own test); warm-up long enough to be killed in. */
    static final String[] CONFIG = {"health.window=0s", "warmup.runs=100"};

    @TempDir
    Path work;

    /** A 17 MB perceptron with a 4-wide input; for zeros it answers {@code bias}. */
    private static byte[] big(int seed, float bias) {
        return TestModels.mlp(4, 2048, 2, 4, seed, bias);
    }

    @Test
    void aKilledUpdaterComesBackServingAndConverges() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_device_crash", Map.of(), "128m", CONFIG)) {
            rig.startUpdater();
            rig.awaitAttributes();
            rig.release("1.0.0", TestModels.mlp(4, 64, 1, 4, 1, 1));
            rig.deploy("1.0.0");
            rig.awaitServed("1.0.0");
            rig.awaitClosed("1.0.0", Duration.ofSeconds(30));

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
                    rig.await("a candidate of " + version + " is staged", Duration.ofSeconds(30), () -> candidateStaged(rig));
                } else {
                    rig.await("the download of " + version + " is complete", Duration.ofSeconds(30),
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

    /** Killed while the new version is unconfirmed: it comes back on the proven version and says why. */
    private void killInHealthWindow(DeviceRig rig, String proven) throws Exception {
        rig.killUpdater();
        rig.configure("health.window=60s");
        rig.startUpdater();
        rig.release("9.0.0", TestModels.mlp(4, 64, 1, 4, 9, 9));
        rig.deploy("9.0.0");
        rig.awaitServed("9.0.0");
        rig.killUpdater();
        rig.startUpdater();
        assertEquals(answerOf(proven), firstAnswer(rig), "an unconfirmed version is not loaded again after a crash");
        JsonNode action = rig.awaitClosed("9.0.0", Duration.ofSeconds(30));
        assertEquals("error", action.get("status").asText(), action.toString());
        // "during the health window", or "during the installation" if the kill came between the swap and the window's start.
        assertTrue(action.get("reason").asText().startsWith("rolled back to " + proven + ": the updater restarted during the "),
                action.get("reason").asText());
        assertEquals(1, rig.closings("9.0.0"));
    }

    /** Throttled so that the kill lands mid-download; after the restart the download resumes. */
    private void killMidDownload(DeviceRig rig) throws Exception {
        byte[] model = big(2, 2);
        rig.release("2.0.0", model);
        rig.killUpdater();
        rig.configure(CONFIG[0], CONFIG[1], "download.max.bytes.per.second=" + (model.length / 3));
        rig.startUpdater();
        assertEquals(answerOf("1.0.0"), firstAnswer(rig), "killed while idle, it serves what it served");
        rig.deploy("2.0.0");
        rig.await("the download is under way", Duration.ofSeconds(30), () -> partialBytes(rig) > model.length / 5);
        rig.killUpdater();
        long kept = partialBytes(rig);
        assertTrue(kept > 0 && kept < model.length, "killed mid-download: " + kept + " of " + model.length);

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
        JsonNode action = rig.awaitClosed(version, Duration.ofSeconds(30));
        assertEquals("finished", action.get("status").asText(), action.toString());
        assertEquals(1, rig.closings(version), "the action ends exactly once");
    }

    /** The first answer of the restarted daemon: it opens its API only once it serves what it restored. */
    private static DeviceRig.Answer firstAnswer(DeviceRig rig) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
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
            JsonNode slots = Client.JSON.readTree(rig.dataDir().resolve("models/kws/journal.json").toFile());
            return !slots.path("candidate").isNull() && !slots.path("candidate").isMissingNode();
        } catch (IOException replacedWhileReading) {
            return false;
        }
    }
}
