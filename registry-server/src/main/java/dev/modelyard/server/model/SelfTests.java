package dev.modelyard.server.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.error.UnknownNameException;
import dev.modelyard.wire.IoSignature;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a version's self-test document: the inputs a device feeds a candidate model before it
 * swaps it in, and the outputs it must get back within an absolute tolerance.
 *
 * <pre>{"tolerance": 0.001, "cases": [{"name": "zeros",
 *   "inputs":  {"x": {"dtype": "float32", "shape": [1, 4], "data": [0, 0, 0, 0]}},
 *   "outputs": {"y": {"dtype": "float32", "shape": [1, 4], "data": [1, 1, 1, 1]}}}]}</pre>
 *
 * The same tensor form as the device's inference API, so a captured request and response make a
 * case. Structure is checked when the document is set; names, types and shapes against the I/O
 * signature when the version is published, because the signature may come from an upload made
 * after the document.
 */
public final class SelfTests {

    /** The element types a device can feed ONNX Runtime from JSON. */
    static final Set<String> DTYPES = Set.of("float32", "float64", "int64", "int32", "int8", "uint8", "bool");
    static final int MAX_CASES = 64;
    /** Keeps the document small enough for every device to download and hold in memory. */
    static final long MAX_ELEMENTS = 1 << 18;

    private SelfTests() {
    }

    /** Checks the document's structure and size; INVALID_FIELD (TOO_LARGE when too large) naming the first problem. */
    static void checkStructure(JsonNode doc) {
        if (doc == null || !doc.isObject()) throw invalid("", "must be an object with 'tolerance' and 'cases'");
        allowOnly(doc, "", Set.of("tolerance", "cases"));
        JsonNode tolerance = doc.get("tolerance");
        if (tolerance == null || !tolerance.isNumber() || !Double.isFinite(tolerance.asDouble()) || tolerance.asDouble() < 0) {
            throw invalid("tolerance", "must be a non-negative number (absolute, per element)");
        }
        JsonNode cases = doc.get("cases");
        if (cases == null || !cases.isArray() || cases.isEmpty() || cases.size() > MAX_CASES) {
            throw invalid("cases", "must be an array of 1 to " + MAX_CASES + " cases");
        }
        long elements = 0;
        for (int i = 0; i < cases.size(); i++) {
            String at = "cases[" + i + "]";
            JsonNode c = cases.get(i);
            if (!c.isObject()) throw invalid(at, "must be an object with 'inputs' and 'outputs'");
            allowOnly(c, at, Set.of("name", "inputs", "outputs"));
            if (c.has("name") && !c.get("name").isTextual()) throw invalid(at + ".name", "must be a string");
            elements += tensors(c.get("inputs"), at + ".inputs");
            elements += tensors(c.get("outputs"), at + ".outputs");
            if (elements > MAX_ELEMENTS) {
                throw DomainException.field(ErrorCode.TOO_LARGE, "selfTest", "selfTest: more than " + MAX_ELEMENTS + " tensor elements in all");
            }
        }
    }

    /**
     * Every case feeds exactly the signature's inputs and expects only its outputs, with their
     * element types and every fixed dimension; VERSION_NOT_PUBLISHABLE naming the first mismatch.
     */
    static void checkAgainst(JsonNode doc, IoSignature signature, String version) {
        if (signature == null) return;
        JsonNode cases = doc.get("cases");
        for (int i = 0; i < cases.size(); i++) {
            String at = "selfTest.cases[" + i + "]";
            JsonNode inputs = cases.get(i).get("inputs");
            for (IoSignature.TensorSpec spec : signature.inputs()) {
                if (!inputs.has(spec.name())) {
                    throw mismatch(version, at + ".inputs: the model's input '" + spec.name() + "' is missing");
                }
            }
            matchAll(inputs, signature.inputs(), at + ".inputs", "input", version);
            matchAll(cases.get(i).get("outputs"), signature.outputs(), at + ".outputs", "output", version);
        }
    }

    /** The exact bytes devices get; frozen at publication, so their digest can be signed. */
    static byte[] serialize(ObjectMapper json, Map<String, Object> doc) {
        try {
            return json.writeValueAsBytes(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored self-test document cannot be written as JSON", e);
        }
    }

    private static void matchAll(JsonNode tensors, List<IoSignature.TensorSpec> specs, String at, String kind, String version) {
        Map<String, IoSignature.TensorSpec> byName = new HashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            IoSignature.TensorSpec spec = byName.get(e.getKey());
            String where = at + "." + e.getKey();
            if (spec == null) {
                throw mismatch(version, where + ": the model has no " + kind + " named '" + e.getKey() + "' (it has "
                        + byName.keySet().stream().sorted().toList() + ")");
            }
            String dtype = e.getValue().get("dtype").asText();
            if (!dtype.equals(spec.dtype())) {
                throw mismatch(version, where + ".dtype: the model's " + kind + " is " + spec.dtype() + ", not " + dtype);
            }
            JsonNode shape = e.getValue().get("shape");
            if (shape.size() != spec.shape().size()) {
                throw mismatch(version, where + ".shape: the model's " + kind + " has rank " + spec.shape().size()
                        + ", not " + shape.size());
            }
            for (int d = 0; d < shape.size(); d++) {
                if (spec.shape().get(d) instanceof Number n && n.longValue() >= 0 && n.longValue() != shape.get(d).asLong()) {
                    throw mismatch(version, where + ".shape[" + d + "]: the model's " + kind + " has size " + n.longValue()
                            + " there, not " + shape.get(d).asLong());
                }
            }
        }
    }

    private static long tensors(JsonNode tensors, String at) {
        if (tensors == null || !tensors.isObject() || tensors.isEmpty()) {
            throw invalid(at, "must be an object of named tensors {\"dtype\", \"shape\", \"data\"}");
        }
        long elements = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            elements += tensor(e.getValue(), at + "." + e.getKey());
        }
        return elements;
    }

    private static long tensor(JsonNode t, String at) {
        if (!t.isObject()) throw invalid(at, "must be an object with 'dtype', 'shape' and 'data'");
        allowOnly(t, at, Set.of("dtype", "shape", "data"));
        JsonNode dtype = t.get("dtype");
        if (dtype == null || !dtype.isTextual() || !DTYPES.contains(dtype.asText())) {
            throw invalid(at + ".dtype", "must be one of " + DTYPES.stream().sorted().toList());
        }
        JsonNode shape = t.get("shape");
        if (shape == null || !shape.isArray()) throw invalid(at + ".shape", "must be an array of sizes ([] for a scalar)");
        long elements = 1;
        for (JsonNode d : shape) {
            if (!d.canConvertToExactIntegral() || d.asLong() < 0 || d.asLong() > MAX_ELEMENTS) {
                throw invalid(at + ".shape", "'" + d + "' is not a size");
            }
            elements *= Math.max(1, d.asLong());
            if (d.asLong() == 0) elements = 0;
            if (elements > MAX_ELEMENTS) throw DomainException.field(ErrorCode.TOO_LARGE, "selfTest", "selfTest: " + at + " has more than " + MAX_ELEMENTS + " elements");
        }
        JsonNode data = t.get("data");
        if (data == null || !data.isArray()) throw invalid(at + ".data", "must be a flat array of the elements in row-major order");
        if (data.size() != elements) {
            throw invalid(at + ".data", "the shape " + shape + " needs " + elements + " elements, got " + data.size());
        }
        boolean bool = dtype.asText().equals("bool");
        for (int i = 0; i < data.size(); i++) {
            JsonNode v = data.get(i);
            boolean ok = bool ? v.isBoolean() : v.isNumber() && (isFloat(dtype.asText()) ? fitsFloat(v, dtype.asText()) : fits(v, dtype.asText()));
            if (!ok) throw invalid(at + ".data[" + i + "]", "'" + v + "' is not a " + dtype.asText());
        }
        return elements;
    }

    private static boolean isFloat(String dtype) {
        return dtype.startsWith("float");
    }

    private static boolean fitsFloat(JsonNode v, String dtype) {
        double d = v.asDouble();
        return Double.isFinite(d) && (dtype.equals("float64") || Math.abs(d) <= Float.MAX_VALUE);
    }

    private static boolean fits(JsonNode v, String dtype) {
        if (!v.canConvertToExactIntegral()) return false;
        BigInteger n = v.bigIntegerValue();
        return switch (dtype) {
            case "int8" -> n.compareTo(BigInteger.valueOf(-128)) >= 0 && n.compareTo(BigInteger.valueOf(127)) <= 0;
            case "uint8" -> n.signum() >= 0 && n.compareTo(BigInteger.valueOf(255)) <= 0;
            case "int32" -> n.bitLength() < 32;
            default -> n.bitLength() < 64;
        };
    }

    private static void allowOnly(JsonNode node, String at, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) throw UnknownNameException.field("selfTest." + (at.isEmpty() ? f : at + "." + f), allowed);
        }
    }

    private static DomainException invalid(String at, String problem) {
        String field = "selfTest" + (at.isEmpty() ? "" : "." + at);
        return DomainException.field(ErrorCode.INVALID_FIELD, field, field + ": " + problem);
    }

    private static DomainException mismatch(String version, String problem) {
        return DomainException.of(ErrorCode.VERSION_NOT_PUBLISHABLE, "version " + version + " cannot be published: " + problem);
    }
}
