package dev.modelyard.device.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelyard.device.api.InferenceServer.BadRequest;
import dev.modelyard.device.runtime.ModelRuntime;
import dev.modelyard.device.runtime.Tensor;
import dev.modelyard.device.runtime.TensorJson;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local API's bodies about models (the list, inference requests and answers, a rollback's
 * answer) through the JSON binding. Apart from {@link InferenceServer} so that the binding loads
 * with the first request about a model: the JVM loads the classes a method's code names when it
 * verifies its class, and health checks and problems, all an idle device answers, need none of it.
 */
final class ModelJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelJson() {
    }

    static byte[] models(List<ModelRuntime.ModelInfo> served) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        served.forEach(m -> list.add(describe(m)));
        return JSON.writeValueAsBytes(list);
    }

    static byte[] rolledBack(String model, String version) throws IOException {
        return JSON.writeValueAsBytes(JSON.createObjectNode().put("model", model).put("version", version));
    }

    static byte[] answer(String model, String version, Map<String, Tensor> outputs) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        outputs.forEach((name, t) -> out.set(name, tensor(t)));
        return JSON.writeValueAsBytes(JSON.createObjectNode().put("model", model).put("version", version).set("outputs", out));
    }

    /** Any value the plain writer declined. */
    static byte[] write(Object value) throws IOException {
        return JSON.writeValueAsBytes(value);
    }

    /** The inputs of {@code {"inputs":{"x":{"dtype","shape","data"}}}}; a body that is not one is the client's to fix. */
    static Map<String, Tensor> inputs(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRequest(400, "the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequest(400, "the body could not be read: " + e.getMessage());
        }
        JsonNode in = root == null ? null : root.get("inputs");
        if (in == null || !in.isObject()) throw new BadRequest(400, "expected {\"inputs\": {\"<name>\": {\"dtype\", \"shape\", \"data\"}}}");
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        in.fields().forEachRemaining(e -> inputs.put(e.getKey(), input(e.getKey(), e.getValue())));
        return inputs;
    }

    private static Tensor input(String name, JsonNode n) {
        try {
            return TensorJson.parse(n);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "input '" + name + "': " + e.getMessage());
        }
    }

    private static ObjectNode tensor(Tensor t) {
        ObjectNode n = JSON.createObjectNode().put("dtype", t.dtype());
        ArrayNode shape = n.putArray("shape");
        for (long d : t.shape()) shape.add(d);
        n.set("data", JSON.valueToTree(t.values()));
        return n;
    }

    private static ObjectNode describe(ModelRuntime.ModelInfo m) {
        ObjectNode n = JSON.createObjectNode().put("name", m.name()).put("version", m.version()).put("runtime", m.runtime());
        n.set("inputs", JSON.valueToTree(m.inputs()));
        n.set("outputs", JSON.valueToTree(m.outputs()));
        return n;
    }
}
