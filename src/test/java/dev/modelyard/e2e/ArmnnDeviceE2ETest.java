package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Deployments;
import dev.modelyard.testing.TfliteMlp;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.ddi.DeviceAttributes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same TensorFlow Lite bytes, as an artifact for runtime {@code armnn}, on a device whose
 * updater runs the ARM NN worker shipped with it (an external runtime: a separate process speaking
 * the protocol of docs/external-runtime.md, here through Debian's pyarmnn on its CpuRef backend).
 * The device reports the runtime from the worker's hello, gets the artifact, verifies it, runs the
 * self-test through the worker, and answers as the Java reference does.
 */
class ArmnnDeviceE2ETest {

    @TempDir
    Path work;

    @Test
    void aTfliteModelRunsOnTheDeviceThroughTheArmNnWorker() throws Exception {
        Path worker = Path.of(System.getProperty("modelyard.armnn.worker"));
        assertTrue(Files.isRegularFile(worker), "the ARM NN worker ships with the updater: " + worker);
        TfliteMlp model = MlpReleases.mlp(11);
        TargetDescriptor armnn = TargetDescriptor.of("tflite", "armnn", null, null, null, null, null, null);
        try (DeviceRig rig = DeviceRig.start(work, "e2e_armnn", Map.of(), "128m", "health.window=0s",
                // Debian's interpreter, which has python3-pyarmnn; CpuAcc where the device has it.
                "external.armnn.command=/usr/bin/python3 " + worker + " --backends CpuAcc,CpuRef",
                "external.armnn.formats=tflite")) {
            rig.startUpdater();
            String version = rig.awaitAttribute(DeviceAttributes.RUNTIME_PREFIX + "armnn");
            assertFalse(version.isBlank(), "the device reports ARM NN's version");

            MlpReleases.publish(rig, "1.0.0", model, armnn, model);
            rig.deploy(MlpReleases.MODEL, "1.0.0");
            Deployments.Action action = rig.action(MlpReleases.MODEL, "1.0.0");
            assertEquals("armnn", action.artifact().target().runtime(), action.toString());
            MlpReleases.awaitServed(rig, "1.0.0", model);
            for (long seed = 100; seed < 105; seed++) {
                MlpReleases.Answer a = MlpReleases.ask(rig, seed, model);
                assertEquals("1.0.0", a.version());
                MlpReleases.assertClose(model.run(model.input(seed)), a.output(), "ARM NN for input " + seed);
            }
            Deployments.Action closed = rig.awaitClosed(MlpReleases.MODEL, "1.0.0", DeviceRig.WAIT);
            assertEquals("finished", closed.status(), closed + "\n" + rig.updaterLog());
        }
    }
}
