package dev.modelyard.server.conversion;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A published version's self-test document, read for the conversion checks: its inputs are run
 * through source and result, and the result must produce the expected outputs within the
 * document's tolerance, because that is what a device checks before it swaps the result in.
 * The document was validated when it was set and again at publication.
 */
public record SelfTestVectors(double tolerance, List<Case> cases) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One case: named input tensors, and the expected elements of each named output. */
    public record Case(String name, Map<String, Tensor> inputs, Map<String, double[]> expected) {
    }

    /** A tensor as the document holds it. */
    public record Tensor(String dtype, long[] shape, JsonNode data) {

        OnnxTensor toOnnx() throws OrtException {
            int n = data.size();
            var env = Ort.env();
            return switch (dtype) {
                case "float32" -> {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) v[i] = (float) data.get(i).asDouble();
                    yield OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
                }
                case "float64" -> {
                    double[] v = new double[n];
                    for (int i = 0; i < n; i++) v[i] = data.get(i).asDouble();
                    yield OnnxTensor.createTensor(env, DoubleBuffer.wrap(v), shape);
                }
                case "int64" -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) v[i] = data.get(i).asLong();
                    yield OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
                }
                case "int32" -> {
                    int[] v = new int[n];
                    for (int i = 0; i < n; i++) v[i] = data.get(i).asInt();
                    yield OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
                }
                case "int8", "uint8", "bool" -> {
                    ByteBuffer b = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
                    for (int i = 0; i < n; i++) b.put((byte) (dtype.equals("bool") ? (data.get(i).asBoolean() ? 1 : 0) : data.get(i).asInt()));
                    b.rewind();
                    OnnxJavaType type = switch (dtype) {
                        case "int8" -> OnnxJavaType.INT8;
                        case "uint8" -> OnnxJavaType.UINT8;
                        default -> OnnxJavaType.BOOL;
                    };
                    yield OnnxTensor.createTensor(env, b, shape, type);
                }
                default -> throw new IllegalArgumentException("unsupported element type " + dtype);
            };
        }
    }

    /** Reads a frozen document (the bytes devices get). */
    public static SelfTestVectors parse(String document) {
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (IOException e) {
            throw new IllegalArgumentException("the version's self-test document is not JSON: " + e.getMessage(), e);
        }
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (JsonNode c : root.get("cases")) {
            Map<String, Tensor> inputs = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("inputs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                inputs.put(e.getKey(), tensor(e.getValue()));
            }
            Map<String, double[]> expected = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("outputs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode data = e.getValue().get("data");
                double[] v = new double[data.size()];
                for (int k = 0; k < v.length; k++) v[k] = data.get(k).isBoolean() ? (data.get(k).asBoolean() ? 1 : 0) : data.get(k).asDouble();
                expected.put(e.getKey(), v);
            }
            String name = c.hasNonNull("name") ? c.get("name").asText() : "#" + i;
            cases.add(new Case(name, inputs, expected));
            i++;
        }
        return new SelfTestVectors(root.get("tolerance").asDouble(), List.copyOf(cases));
    }

    private static Tensor tensor(JsonNode t) {
        JsonNode s = t.get("shape");
        long[] shape = new long[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asLong();
        return new Tensor(t.get("dtype").asText(), shape, t.get("data"));
    }
}
