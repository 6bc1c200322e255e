package dev.modelyard.device.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inputs with the outputs a model version must produce for them, within {@code tolerance}
 * (absolute, per element). A candidate that fails any case is never swapped in.
 */
public record SelfTest(List<Case> cases, double tolerance) {

    public record Case(Map<String, Tensor> inputs, Map<String, Tensor> expected) {
    }

    public static final SelfTest NONE = new SelfTest(List.of(), 0);

    /**
     * Reads a self-test document: {@code {"tolerance": 0.001, "cases": [{"name": "…", "inputs":
     * {"x": tensor}, "outputs": {"y": tensor}}]}} with tensors as in the inference API.
     */
    public static SelfTest parse(byte[] json) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the self-test document is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("cases").isArray()) {
            throw new IllegalArgumentException("the self-test document needs a \"cases\" array");
        }
        JsonNode tolerance = root.path("tolerance");
        if (!tolerance.isMissingNode() && !(tolerance.isNumber() && tolerance.asDouble() >= 0)) {
            throw new IllegalArgumentException("the self-test tolerance must be a number of at least 0");
        }
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String name = c.path("name").asText("case " + cases.size());
            cases.add(new Case(tensors(name, "inputs", c.path("inputs")), tensors(name, "outputs", c.path("outputs"))));
        }
        return new SelfTest(List.copyOf(cases), tolerance.asDouble(0));
    }

    private static Map<String, Tensor> tensors(String caseName, String field, JsonNode node) {
        if (!node.isObject()) throw new IllegalArgumentException(caseName + ": \"" + field + "\" must be an object of tensors");
        Map<String, Tensor> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            try {
                out.put(e.getKey(), TensorJson.parse(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(caseName + ": " + field + " '" + e.getKey() + "': " + ex.getMessage(), ex);
            }
        });
        return out;
    }
}
