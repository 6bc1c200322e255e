package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.TfliteMlp;
import dev.modelyard.wire.IoSignature;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.ddi.DeviceAttributes;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TensorFlow Lite model goes the whole way, every part real: uploaded and validated by the
 * server, which records its I/O signature and checks the self-test vectors against it; published
 * and signed; deployed over DDI to the packaged updater, whose TFLite engine runs it after the
 * device verified the signature and the vectors. Its answers equal the Java reference. A second
 * version swaps in while a client keeps asking, without a failed request; a third whose vectors
 * fail is refused and the second keeps serving.
 */
class TfliteDeviceE2ETest {

    @TempDir
    Path work;

    @Test
    void aTfliteModelDeploysSwapsAndIsRefusedLikeAnOnnxOne() throws Exception {
        TfliteMlp first = MlpReleases.mlp(1), second = MlpReleases.mlp(2), third = MlpReleases.mlp(3);
        TargetDescriptor tflite = Artifacts.target("tflite");
        try (DeviceRig rig = DeviceRig.start(work, "e2e_tflite", Map.of(), "128m", "health.window=0s")) {
            rig.startUpdater();
            assertTrue(!rig.awaitAttribute(DeviceAttributes.RUNTIME_PREFIX + "tflite").isBlank(), "the device reports its TFLite version");

            Artifacts.Artifact uploaded = MlpReleases.draft(rig, "1.0.0", first, tflite, first);
            assertEquals("tflite", uploaded.target().format());
            assertEquals("tflite", uploaded.target().runtime());
            Versions.Version draft = rig.api.versions().get(MlpReleases.MODEL, "1.0.0");
            assertEquals(new IoSignature(
                    List.of(new IoSignature.TensorSpec("input", "float32", List.of(1, MlpReleases.INPUTS))),
                    List.of(new IoSignature.TensorSpec("output", "float32", List.of(1, MlpReleases.OUTPUTS)))),
                    draft.ioSignature(), "the signature read from the flatbuffer");
            assertNotNull(draft.selfTest(), "the vectors fit the signature");
            Versions.Version published = rig.api.versions().publish(MlpReleases.MODEL, "1.0.0");
            assertEquals("published", published.status());
            SignedEnvelope signed = SignedEnvelope.parse(rig.api.artifacts().signedMetadata(MlpReleases.MODEL, "1.0.0", "mlp.tflite"));
            assertEquals(1, signed.signatures().size(), "signed by the release key");
            ArtifactMetadata meta = ArtifactMetadata.fromMap(signed.signed());
            assertEquals(uploaded.target(), meta.target(), "the device is told the runtime the file needs");
            assertNotNull(meta.selfTest(), "the vectors travel signed");

            rig.deploy(MlpReleases.MODEL, "1.0.0");
            MlpReleases.awaitServed(rig, "1.0.0", first);
            for (long seed = 100; seed < 105; seed++) {
                MlpReleases.Answer a = MlpReleases.ask(rig, seed, first);
                assertEquals("1.0.0", a.version());
                MlpReleases.assertClose(first.run(first.input(seed)), a.output(), "1.0.0 for input " + seed);
            }
            Deployments.Action installed = rig.awaitClosed(MlpReleases.MODEL, "1.0.0", DeviceRig.WAIT);
            assertEquals("finished", installed.status(), installed + "\n" + rig.updaterLog());

            swapUnderLoad(rig, second);
            MlpReleases.assertClose(second.run(second.input(200)), MlpReleases.ask(rig, 200, second).output(), "2.0.0");

            // Vectors made from the second model: the third cannot meet them.
            MlpReleases.publish(rig, "3.0.0", third, tflite, second);
            rig.deploy(MlpReleases.MODEL, "3.0.0");
            Deployments.Action refused = rig.awaitClosed(MlpReleases.MODEL, "3.0.0", DeviceRig.WAIT);
            assertEquals("error", refused.status(), refused + "\n" + rig.updaterLog());
            assertTrue(refused.reason().contains("self-test failed"), refused.reason());
            MlpReleases.Answer still = MlpReleases.ask(rig, 300, second);
            assertEquals("2.0.0", still.version(), "the refused version never served");
            MlpReleases.assertClose(second.run(second.input(300)), still.output(), "2.0.0 after the refusal");
        }
    }

    /** Publishes and deploys 2.0.0 while a client keeps asking; no request may fail. */
    private static void swapUnderLoad(DeviceRig rig, TfliteMlp second) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong answered = new AtomicLong();
        Map<String, Long> versions = new ConcurrentHashMap<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread client = new Thread(() -> {
            while (!stop.get()) {
                try {
                    versions.merge(MlpReleases.ask(rig, 1, second).version(), 1L, Long::sum);
                    answered.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        client.start();
        try {
            rig.await("the client is answered by 1.0.0", DeviceRig.WAIT, () -> versions.getOrDefault("1.0.0", 0L) >= 20);
            MlpReleases.publish(rig, "2.0.0", second, Artifacts.target("tflite"), second);
            rig.deploy(MlpReleases.MODEL, "2.0.0");
            rig.await("the client is answered by 2.0.0", DeviceRig.WAIT, () -> versions.getOrDefault("2.0.0", 0L) > 0);
            long after = answered.get();
            rig.await("50 more answers after the swap", DeviceRig.WAIT, () -> answered.get() >= after + 50);
        } finally {
            stop.set(true);
            client.join();
        }
        assertEquals(List.of(), failures, "no request may fail during the swap");
        assertTrue(versions.get("1.0.0") > 0 && versions.get("2.0.0") > 0, versions.toString());
        Deployments.Action swapped = rig.awaitClosed(MlpReleases.MODEL, "2.0.0", DeviceRig.WAIT);
        assertEquals("finished", swapped.status(), swapped + "\n" + rig.updaterLog());
    }
}
