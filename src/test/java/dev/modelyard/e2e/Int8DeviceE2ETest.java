package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Conversions;
import dev.modelyard.client.Deployments;
import dev.modelyard.client.Profiles;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.ddi.DeviceAttributes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fast int8 reaches the device: a profile with the {@code int8-dynamic} converter converts the
 * published fp32 version (checked against it by the server), and a deployment that asks for low
 * precision sends the device the int8 artifact, which it verifies and serves with answers close to
 * the fp32 model's, computed here independently.
 */
class Int8DeviceE2ETest {

    static final int IN = 4, HIDDEN = 32, OUT = 4;
    static final long SEED = 3;
    static final float BIAS = 0.5f;
    /** Dynamic quantization's error on this model: activations and weights rounded to 1/255 of their range. */
    static final double TOLERANCE = 0.05;

    @TempDir
    Path work;

    @Test
    void aLowPrecisionDeploymentGetsTheInt8ConversionAndAnswersCloseToFp32() throws Exception {
        try (DeviceRig rig = DeviceRig.start(work, "e2e_int8", Map.of(), "128m", "health.window=0s")) {
            rig.startUpdater();
            rig.awaitAttributes();
            rig.api.profiles().create(new Profiles.ProfileBody("cpu-int8-dynamic", "integer kernels on any CPU", true,
                    List.of(new Profiles.Step(null, "int8-dynamic", Map.of(), null, null, null)),
                    TargetDescriptor.of("onnx", null, null, null, null, "int8", null, null),
                    new Profiles.Tolerance(TOLERANCE, 0.99), null, null));
            Fixtures.Release fp32 = Fixtures.publishedOnnx(rig.api, "kws", "1.0.0", "kws.onnx",
                    OnnxModels.mlp(IN, HIDDEN, 1, OUT, SEED, BIAS));

            Conversions.Filter jobs = new Conversions.Filter("kws", "1.0.0", "cpu-int8-dynamic", null, null, null);
            rig.await("the int8 conversion ends", DeviceRig.WAIT, () -> {
                List<Conversions.Job> j = rig.api.conversions().jobs(jobs).items();
                return j.size() == 1 && List.of("succeeded", "failed", "cancelled").contains(j.get(0).status());
            });
            Conversions.Job job = rig.api.conversions().jobs(jobs).items().get(0);
            assertEquals("succeeded", job.status(), job.toString());
            Artifacts.Artifact int8 = rig.api.artifacts().list("kws", "1.0.0", Artifacts.Filter.all()).items().stream()
                    .filter(a -> a.id().equals(job.resultArtifactId())).findFirst().orElseThrow();
            assertEquals("int8", int8.target().precision());
            assertEquals("int8-dynamic", int8.lineage().converter(), int8.toString());
            assertNotEquals(fp32.artifact().sha256(), int8.sha256());

            rig.api.deployments().assign(new Deployments.Assign("kws", "1.0.0", "cam-1", null, null, null, true));
            Deployments.Action action = rig.action("1.0.0");
            assertEquals(int8.filename(), action.artifact().filename(), "low precision asked for: the int8 file");
            rig.awaitServed("1.0.0");
            rig.await("the device reports serving the int8 file", DeviceRig.WAIT, () -> int8.sha256().equals(
                    rig.api.devices().get("cam-1").attributes().get(DeviceAttributes.INSTALLED_PREFIX + "kws")));
            Random inputs = new Random(42);
            for (int n = 0; n < 5; n++) {
                float[] x = new float[IN];
                for (int i = 0; i < IN; i++) x[i] = inputs.nextFloat() * 2 - 1;
                HttpResponse<String> r = rig.infer("kws", Map.of("x", Map.of("dtype", "float32", "shape", List.of(1, IN), "data", list(x))));
                assertEquals(200, r.statusCode(), r.body());
                JsonNode y = DeviceRig.JSON.readTree(r.body()).path("outputs").path("y").path("data");
                float[] expected = reference(x);
                for (int k = 0; k < OUT; k++) {
                    double got = y.get(k).asDouble();
                    if (Math.abs(got - expected[k]) > TOLERANCE) {
                        throw new AssertionError("output " + k + " is " + got + ", the fp32 reference says " + expected[k] + ": " + r.body());
                    }
                }
            }
            assertEquals("finished", rig.awaitClosed("1.0.0", DeviceRig.WAIT).status(), rig.updaterLog());
        }
    }

    private static List<Double> list(float[] x) {
        List<Double> l = new ArrayList<>();
        for (float v : x) l.add((double) v);
        return l;
    }

    /**
     * What {@link OnnxModels#mlp} computes in fp32: the same weights from the same seed, drawn in
     * the same order ([rows, cols] row-major, scaled by sqrt(2 / rows)), relu between the layers,
     * bias added at the end.
     */
    static float[] reference(float[] x) {
        Random random = new Random(SEED);
        float[] h = x;
        int width = IN;
        for (int l = 0; l <= 1; l++) {
            int next = l == 1 ? OUT : HIDDEN;
            float scale = (float) Math.sqrt(2.0 / width);
            float[] w = new float[width * next];
            for (int i = 0; i < w.length; i++) w[i] = (random.nextFloat() * 2 - 1) * scale;
            float[] o = new float[next];
            for (int j = 0; j < next; j++) {
                float s = 0;
                for (int i = 0; i < width; i++) s += h[i] * w[i * next + j];
                o[j] = l == 1 ? s + BIAS : Math.max(0, s);
            }
            h = o;
            width = next;
        }
        return h;
    }
}
