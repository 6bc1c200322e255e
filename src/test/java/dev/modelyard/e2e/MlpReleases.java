package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.TfliteMlp;
import dev.modelyard.wire.TargetDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Versions of model "mlp" on a {@link DeviceRig}: each a TensorFlow Lite multilayer perceptron
 * from a seed ({@link TfliteMlp}: input [1, 8] → 16 → output [1, 4]), published with self-test
 * vectors, and asked for answers that are compared with the Java reference computed here.
 */
final class MlpReleases {

    static final String MODEL = "mlp";
    static final int INPUTS = 8, HIDDEN = 16, OUTPUTS = 4;
    /** Float rounding of a different summation order in a runtime; a wrong weight is off by far more. */
    static final double TOLERANCE = 1e-4;
    /** The input of the self-test case; requests use other inputs. */
    static final long SELF_TEST_INPUT = 7;

    private MlpReleases() {
    }

    static TfliteMlp mlp(long seed) {
        return TfliteMlp.seeded(seed, INPUTS, HIDDEN, OUTPUTS);
    }

    /**
     * Publishes {@code version} with the float32 model of {@code model} for {@code target} and
     * self-test vectors expecting what {@code expected} answers (a model other than
     * {@code model} makes vectors the version cannot meet).
     */
    static void publish(DeviceRig rig, String version, TfliteMlp model, TargetDescriptor target, TfliteMlp expected) {
        Fixtures.published(rig.api, MODEL, version, MODEL + ".tflite", target, model.float32(), selfTest(expected));
    }

    /** As {@link #publish}, the artifact uploaded without publishing, for tests that look at the draft first. */
    static Artifacts.Artifact draft(DeviceRig rig, String version, TfliteMlp model, TargetDescriptor target, TfliteMlp expected) {
        Fixtures.model(rig.api, MODEL);
        rig.api.versions().create(MODEL, Versions.NewVersion.of(version));
        byte[] bytes = model.float32();
        Artifacts.Artifact a = rig.api.artifacts().put(MODEL, version, MODEL + ".tflite", target,
                () -> new ByteArrayInputStream(bytes), bytes.length, null, null);
        rig.api.versions().update(MODEL, version, Versions.VersionPatch.selfTest(selfTest(expected)));
        return a;
    }

    static Map<String, Object> selfTest(TfliteMlp expected) {
        float[] x = expected.input(SELF_TEST_INPUT);
        return Map.of("tolerance", TOLERANCE, "cases", List.of(Map.of("name", "seeded input",
                "inputs", Map.of("input", tensor(x, INPUTS)),
                "outputs", Map.of("output", tensor(expected.run(x), OUTPUTS)))));
    }

    /** The request's inputs for {@code x}. */
    static Map<String, Object> inputs(float[] x) {
        return Map.of("input", tensor(x, INPUTS));
    }

    private static Map<String, Object> tensor(float[] values, int width) {
        List<Double> data = new ArrayList<>();
        for (float v : values) data.add((double) v);
        return Map.of("dtype", "float32", "shape", List.of(1, width), "data", data);
    }

    /** One inference on the device with input {@code seed}; the version that answered and its output. */
    static Answer ask(DeviceRig rig, long seed, TfliteMlp any) throws IOException, InterruptedException {
        HttpResponse<String> r = rig.infer(MODEL, inputs(any.input(seed)));
        if (r.statusCode() != 200) throw new IOException("inference answered " + r.statusCode() + ": " + r.body());
        JsonNode body = DeviceRig.JSON.readTree(r.body());
        JsonNode out = body.path("outputs").path("output");
        assertEquals("float32", out.path("dtype").asText(), r.body());
        float[] y = new float[out.path("data").size()];
        for (int i = 0; i < y.length; i++) y[i] = (float) out.path("data").get(i).asDouble();
        return new Answer(body.path("version").asText(), y);
    }

    record Answer(String version, float[] output) {
    }

    /** Fails unless {@code actual} equals {@code expected} element by element within {@link #TOLERANCE}. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": output size");
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > TOLERANCE) {
                throw new AssertionError(what + ": output[" + i + "] is " + actual[i] + ", the reference says " + expected[i]
                        + " (tolerance " + TOLERANCE + "); whole output " + java.util.Arrays.toString(actual)
                        + " vs " + java.util.Arrays.toString(expected));
            }
        }
    }

    /** Waits until the device answers with {@code version}. */
    static void awaitServed(DeviceRig rig, String version, TfliteMlp any) throws Exception {
        rig.await("the device serves " + MODEL + " " + version, DeviceRig.WAIT, () -> {
            try {
                return ask(rig, 1, any).version().equals(version);
            } catch (IOException notYet) {
                return false;
            }
        });
    }
}
