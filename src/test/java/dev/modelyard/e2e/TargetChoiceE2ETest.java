package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.wire.CpuFeatures;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.ddi.DeviceAttributes;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact built for the device's exact hardware reaches it: one version holds a generic file
 * (any architecture), a file for this machine's architecture needing CPU features it has, and a
 * file needing one more feature it lacks. The real updater reports its CPU features from
 * /proc/cpuinfo; the server's deployment names the file made for it — never the generic one, never
 * the one it cannot run — and the device verifies and serves exactly that file.
 *
 * <p>The three files are models adding 1, 2 and 3 to their input, so the answer to zeros says
 * which file the device really runs, not only which one the server meant to send.
 */
class TargetChoiceE2ETest {

    @TempDir
    Path work;

    @Test
    void theDeviceGetsTheFileMadeForItsCpuAndNeverOneItCannotRun() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_choice", Map.of(), "96m", "health.window=0s")) {
            rig.startUpdater();
            rig.awaitAttributes();
            String arch = rig.awaitAttribute(DeviceAttributes.ARCH);
            Set<String> have = CpuFeatures.parse(rig.awaitAttribute(DeviceAttributes.CPU_FEATURES));
            // The updater and this test run on one machine: what it reports is what the kernel says, plus
            // the one vector-width token its features give.
            Set<String> kernel = new java.util.TreeSet<>(CpuFeatures.parse(cpuinfoFeatures()));
            String width = CpuFeatures.vectorWidth(arch, kernel);
            if (width != null) kernel.add(width);
            assertEquals(kernel, have, "the device reports the CPU's features");
            assertFalse(have.isEmpty(), "this machine's CPU has features a file can need: " + cpuinfoFeatures());

            List<String> fitting = have.stream().limit(2).toList();
            List<String> beyond = new ArrayList<>(fitting);
            beyond.add(absentFeature(have));
            Fixtures.model(rig.api, "kws");
            rig.api.versions().create("kws", Versions.NewVersion.of("1.0.0"));
            upload(rig, "kws.onnx", Artifacts.target("onnx"), OnnxModels.addBias(1, 1, 1, 1));
            Artifacts.Artifact mine = upload(rig, "kws-" + arch + ".onnx", cpu(arch, fitting), OnnxModels.addBias(2, 2, 2, 2));
            // More features than the fitting file: were the device's lack of one ignored, this more
            // specific file would win.
            upload(rig, "kws-" + arch + "-beyond.onnx", cpu(arch, beyond), OnnxModels.addBias(3, 3, 3, 3));
            rig.api.versions().publish("kws", "1.0.0");

            rig.deploy("1.0.0");
            Deployments.Action action = rig.action("1.0.0");
            assertEquals(mine.filename(), action.artifact().filename(), action.toString());
            JsonNode chunks = rig.ddiJson("/deploymentBase/" + action.id()).path("deployment").path("chunks");
            assertEquals(1, chunks.size(), chunks.toString());
            // The model file and its signed release metadata; neither of the other two files.
            Map<String, String> files = new TreeMap<>();
            for (JsonNode f : chunks.get(0).path("artifacts")) files.put(f.path("filename").asText(), f.path("hashes").path("sha256").asText());
            assertEquals(Set.of(mine.filename(), mine.filename() + ".release.json"), files.keySet(), chunks.toString());
            assertEquals(mine.sha256(), files.get(mine.filename()));

            rig.awaitServed("1.0.0");
            assertEquals(new DeviceRig.Answer("1.0.0", 2.0), DeviceRig.answer(rig.infer(1)),
                    "the device runs the file made for its CPU");
            Deployments.Action closed = rig.awaitClosed("1.0.0", DeviceRig.WAIT);
            assertEquals("finished", closed.status(), closed + "\n" + rig.updaterLog());
            rig.await("the device reports the file it serves", DeviceRig.WAIT, () -> mine.sha256().equals(
                    rig.api.devices().get("cam-1").attributes().get(DeviceAttributes.INSTALLED_PREFIX + "kws")));
        }
    }

    private static TargetDescriptor cpu(String arch, List<String> features) {
        return TargetDescriptor.of("onnx", null, null, arch, null, null, null, null, features);
    }

    private static Artifacts.Artifact upload(DeviceRig rig, String filename, TargetDescriptor target, byte[] bytes) {
        return rig.api.artifacts().put("kws", "1.0.0", filename, target, () -> new ByteArrayInputStream(bytes),
                bytes.length, null, null);
    }

    /** The first CPU's flags (x86) or Features (ARM) line of /proc/cpuinfo. */
    private static String cpuinfoFeatures() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            String key = line.split(":", 2)[0].strip();
            if (key.equals("flags") || key.equals("Features")) return line.split(":", 2)[1];
        }
        throw new AssertionError("/proc/cpuinfo names no CPU features");
    }

    /**
     * A feature of the vocabulary this CPU lacks; on a CPU that has them all, a vendor's name no
     * CPU reports (names outside the vocabulary are compared by name, and never reported).
     */
    private static String absentFeature(Set<String> have) {
        Set<String> absent = new TreeSet<>(CpuFeatures.KNOWN);
        absent.removeAll(have);
        return absent.isEmpty() ? "vendor_x_matrix" : absent.iterator().next();
    }
}
