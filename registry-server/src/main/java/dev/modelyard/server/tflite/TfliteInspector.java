package dev.modelyard.server.tflite;

import dev.modelyard.wire.IoSignature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a file is a TensorFlow Lite model an interpreter can load and describes it: every
 * reference the interpreter will follow (buffer, operator code and tensor indices, quantization
 * counts, subgraph inputs and outputs) is checked against what exists, so a malformed or hostile
 * file is refused at upload rather than crashing a device. The file is mapped and buffer data is
 * never read; what is kept and the work done are bounded by fixed {@link Limits}, not by the file.
 */
public final class TfliteInspector {

    // schema.fbs field indices
    private static final int MODEL_VERSION = 0, MODEL_OPERATOR_CODES = 1, MODEL_SUBGRAPHS = 2, MODEL_DESCRIPTION = 3, MODEL_BUFFERS = 4;
    private static final int CODE_DEPRECATED_BUILTIN = 0, CODE_CUSTOM = 1, CODE_BUILTIN = 3;
    private static final int SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS = 1, SUBGRAPH_OUTPUTS = 2, SUBGRAPH_OPERATORS = 3;
    private static final int TENSOR_SHAPE = 0, TENSOR_TYPE = 1, TENSOR_BUFFER = 2, TENSOR_NAME = 3, TENSOR_QUANTIZATION = 4,
            TENSOR_SHAPE_SIGNATURE = 7;
    private static final int QUANT_SCALE = 2, QUANT_ZERO_POINT = 3, QUANT_DIMENSION = 6;
    private static final int OPERATOR_OPCODE = 0, OPERATOR_INPUTS = 1, OPERATOR_OUTPUTS = 2;
    private static final int BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2;
    /** The schema version every current converter writes and every interpreter reads. */
    private static final long SCHEMA_VERSION = 3;
    /** TensorType values, by index, as the registry names element types (null: no registry dtype). */
    private static final String[] DTYPES = {"float32", "float16", "int32", "uint8", "int64", "string", "bool", "int16",
            "complex64", "int8", "float64", "complex128", "uint64", "resource", "variant", "uint32", "uint16", "int4", "bfloat16"};

    /**
     * What is accepted. Far above real models (a large language model has some thousands of
     * tensors), far below what would exhaust the server's memory or time. Flatbuffers may point
     * many references at the same bytes, so the file's size bounds nothing: {@code maxEntriesRead}
     * caps the names' bytes, dimensions, indices and quantization parameters read in all.
     */
    public record Limits(int maxSubgraphs, int maxTensors, int maxOperators, int maxBuffers, int maxRank,
                         int maxNameBytes, int maxQuantizationParams, long maxEntriesRead) {
        public static final Limits DEFAULT = new Limits(1024, 1 << 18, 1 << 18, 1 << 18, 16, 1 << 16, 1 << 16, 1L << 25);
    }

    /** One input or output of the main subgraph: its element type (registry dtype name) and shape (-1 for dynamic). */
    public record Tensor(String name, String dtype, List<Long> shape) {
    }

    /** What was found in a model. Operators are keyed by builtin code number or custom operator name. */
    public record Report(long version, int subgraphs, long tensors, List<Tensor> inputs, List<Tensor> outputs,
                         long parameterCount, Map<String, Integer> operators, String description) {

        /** The I/O signature, when every input and output has a type the registry names. */
        public Optional<IoSignature> ioSignature() {
            List<IoSignature.TensorSpec> in = new ArrayList<>(), out = new ArrayList<>();
            for (Tensor t : inputs) in.add(new IoSignature.TensorSpec(t.name(), t.dtype(), List.copyOf(t.shape())));
            for (Tensor t : outputs) out.add(new IoSignature.TensorSpec(t.name(), t.dtype(), List.copyOf(t.shape())));
            IoSignature sig = new IoSignature(in, out);
            try {
                sig.validate();
                return Optional.of(sig);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        /** The findings as JSON-ready values, for an artifact's metadata. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", version);
            m.put("subgraphs", subgraphs);
            m.put("tensors", tensors);
            m.put("inputs", tensors(inputs));
            m.put("outputs", tensors(outputs));
            m.put("parameterCount", parameterCount);
            m.put("operators", operators);
            if (description != null) m.put("description", description);
            return m;
        }

        private static List<Map<String, Object>> tensors(List<Tensor> ts) {
            List<Map<String, Object>> r = new ArrayList<>();
            for (Tensor t : ts) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("dtype", t.dtype());
                m.put("shape", t.shape());
                r.add(m);
            }
            return r;
        }
    }

    private final FlatBufferReader r;
    private final Limits limits;
    private long tensorCount;
    private long operatorCount;
    private long parameterCount;
    private long entriesRead;

    private TfliteInspector(FlatBufferReader r, Limits limits) {
        this.r = r;
        this.limits = limits;
    }

    /** Inspects a file; {@link TfliteFormatException} says why it is refused. */
    public static Report inspect(Path file, Limits limits) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() == 0) throw new TfliteFormatException("not a TensorFlow Lite model: the file is empty");
            FlatBufferReader reader = new FlatBufferReader(ch);
            try {
                reader.checkIdentifier("TFL3");
            } catch (TfliteFormatException e) {
                throw new TfliteFormatException("not a TensorFlow Lite model: " + e.getMessage());
            }
            try {
                return new TfliteInspector(reader, limits).model(reader.deref(0));
            } catch (TfliteFormatException e) {
                throw new TfliteFormatException("not a valid TensorFlow Lite model: " + e.getMessage());
            }
        }
    }

    private Report model(long model) throws IOException {
        long versionAt = r.field(model, MODEL_VERSION);
        long version = versionAt == 0 ? 0 : r.u32(versionAt);
        if (version != SCHEMA_VERSION) throw new TfliteFormatException("schema version " + version + "; version " + SCHEMA_VERSION + " is supported");
        List<String> codes = operatorCodes(model);
        List<Long> bufferSizes = buffers(model);
        long subgraphsAt = r.field(model, MODEL_SUBGRAPHS);
        if (subgraphsAt == 0) throw new TfliteFormatException("Model.subgraphs is missing");
        long subgraphs = r.vector(subgraphsAt, 4, limits.maxSubgraphs(), "Model.subgraphs");
        int n = (int) r.length(subgraphs);
        if (n == 0) throw new TfliteFormatException("Model.subgraphs is empty");
        Map<String, Integer> operators = new TreeMap<>();
        List<Tensor> inputs = null, outputs = null;
        for (int s = 0; s < n; s++) {
            List<List<Tensor>> io = subgraph(r.table(subgraphs, s), "subgraphs[" + s + "]", codes, bufferSizes, operators);
            if (s == 0) {
                inputs = io.get(0);
                outputs = io.get(1);
            }
        }
        if (outputs.isEmpty()) throw new TfliteFormatException("subgraphs[0] (the main subgraph) has no outputs");
        long descriptionAt = r.field(model, MODEL_DESCRIPTION);
        String description = descriptionAt == 0 ? null : r.string(descriptionAt, limits.maxNameBytes(), "Model.description");
        return new Report(version, n, tensorCount, inputs, outputs, parameterCount, operators, description);
    }

    /** Each operator code as the key operators are counted under: its builtin code, or its custom name. */
    private List<String> operatorCodes(long model) throws IOException {
        long at = r.field(model, MODEL_OPERATOR_CODES);
        if (at == 0) return List.of();
        long vector = r.vector(at, 4, limits.maxOperators(), "Model.operator_codes");
        List<String> codes = new ArrayList<>();
        for (long i = 0; i < r.length(vector); i++) {
            String where = "operator_codes[" + i + "]";
            long code = r.table(vector, i);
            long deprecatedAt = r.field(code, CODE_DEPRECATED_BUILTIN), builtinAt = r.field(code, CODE_BUILTIN);
            int deprecated = deprecatedAt == 0 ? 0 : (byte) r.u8(deprecatedAt);
            int builtin = builtinAt == 0 ? 0 : r.i32(builtinAt);
            // Files before schema 2.4 carry only the deprecated byte; interpreters take the larger of the two.
            int effective = Math.max(deprecated, builtin);
            if (deprecated < 0 || builtin < 0) throw new TfliteFormatException(where + " has a negative builtin code");
            long customAt = r.field(code, CODE_CUSTOM);
            if (customAt != 0) {
                String name = r.string(customAt, limits.maxNameBytes(), where + ".custom_code");
                read(name.length());
                codes.add("custom:" + name);
            } else {
                codes.add(String.valueOf(effective));
            }
        }
        return codes;
    }

    /** Each buffer's data size; data (inline or at offset/size after the flatbuffer) must lie in the file, without overlap. */
    private List<Long> buffers(long model) throws IOException {
        long at = r.field(model, MODEL_BUFFERS);
        if (at == 0) throw new TfliteFormatException("Model.buffers is missing");
        long vector = r.vector(at, 4, limits.maxBuffers(), "Model.buffers");
        List<Long> sizes = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        for (long b = 0; b < r.length(vector); b++) {
            long buffer = r.table(vector, b);
            long dataAt = r.field(buffer, BUFFER_DATA);
            long offset = 0, length = 0;
            if (dataAt != 0) {
                long data = r.vector(dataAt, 1, Long.MAX_VALUE, "buffers[" + b + "].data");
                offset = data + 4;
                length = r.length(data);
            } else {
                long offsetAt = r.field(buffer, BUFFER_OFFSET), sizeAt = r.field(buffer, BUFFER_SIZE);
                // offset 1 (or none) means "no data" in the schema; real appended data starts after the flatbuffer
                if (offsetAt != 0 && sizeAt != 0 && r.u64(offsetAt) > 1) {
                    offset = r.u64(offsetAt);
                    length = r.u64(sizeAt);
                    if (offset > r.size() || length > r.size() - offset) {
                        throw new TfliteFormatException("buffers[" + b + "] points at " + length + " bytes at offset " + offset
                                + ", outside the " + r.size() + "-byte file");
                    }
                }
            }
            sizes.add(length);
            if (length > 0) ranges.add(new long[] {offset, length, b});
        }
        ranges.sort((x, y) -> Long.compare(x[0], y[0]));
        for (int i = 1; i < ranges.size(); i++) {
            long[] prev = ranges.get(i - 1), cur = ranges.get(i);
            if (cur[0] < prev[0] + prev[1]) {
                throw new TfliteFormatException("buffers[" + prev[2] + "] and buffers[" + cur[2] + "] share bytes");
            }
        }
        if (!sizes.isEmpty() && sizes.get(0) != 0) throw new TfliteFormatException("buffers[0] must be the empty buffer");
        return sizes;
    }

    /** Checks one subgraph; returns its inputs and outputs. */
    private List<List<Tensor>> subgraph(long subgraph, String where, List<String> codes, List<Long> bufferSizes,
                                        Map<String, Integer> operators) throws IOException {
        long tensorsAt = r.field(subgraph, SUBGRAPH_TENSORS);
        long vector = tensorsAt == 0 ? 0 : r.vector(tensorsAt, 4, limits.maxTensors(), where + ".tensors");
        int count = vector == 0 ? 0 : (int) r.length(vector);
        tensorCount += count;
        if (tensorCount > limits.maxTensors()) throw new TfliteFormatException("more than " + limits.maxTensors() + " tensors");
        List<Integer> in = indices(subgraph, SUBGRAPH_INPUTS, where + ".inputs", count, false);
        List<Integer> out = indices(subgraph, SUBGRAPH_OUTPUTS, where + ".outputs", count, false);
        // Only the subgraph's inputs and outputs are kept: memory stays bounded by the signature.
        Set<Integer> io = new HashSet<>(in);
        io.addAll(out);
        Map<Integer, Tensor> kept = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            Tensor t = tensor(r.table(vector, i), where + ".tensors[" + i + "]", bufferSizes);
            if (io.contains(i)) kept.put(i, t);
        }
        List<Tensor> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (int i : in) inputs.add(kept.get(i));
        for (int i : out) outputs.add(kept.get(i));
        long operatorsAt = r.field(subgraph, SUBGRAPH_OPERATORS);
        if (operatorsAt != 0) {
            long ops = r.vector(operatorsAt, 4, limits.maxOperators(), where + ".operators");
            long n = r.length(ops);
            operatorCount += n;
            if (operatorCount > limits.maxOperators()) throw new TfliteFormatException("more than " + limits.maxOperators() + " operators");
            for (long i = 0; i < n; i++) {
                String at = where + ".operators[" + i + "]";
                long op = r.table(ops, i);
                long opcodeAt = r.field(op, OPERATOR_OPCODE);
                long opcode = opcodeAt == 0 ? 0 : r.u32(opcodeAt);
                if (opcode >= codes.size()) {
                    throw new TfliteFormatException(at + ".opcode_index " + opcode + " is out of range: the model has "
                            + codes.size() + " operator codes");
                }
                indices(op, OPERATOR_INPUTS, at + ".inputs", count, true);
                indices(op, OPERATOR_OUTPUTS, at + ".outputs", count, false);
                operators.merge(codes.get((int) opcode), 1, Integer::sum);
            }
        }
        return List.of(inputs, outputs);
    }

    private Tensor tensor(long t, String where, List<Long> bufferSizes) throws IOException {
        long typeAt = r.field(t, TENSOR_TYPE);
        int type = typeAt == 0 ? 0 : r.u8(typeAt);
        if (type >= DTYPES.length) throw new TfliteFormatException(where + " has an unknown tensor type " + type);
        long nameAt = r.field(t, TENSOR_NAME);
        String name = nameAt == 0 ? "" : r.string(nameAt, limits.maxNameBytes(), where + ".name");
        read(name.length());
        List<Long> shape = dims(t, TENSOR_SHAPE, where + ".shape", 0);
        long signatureAt = r.field(t, TENSOR_SHAPE_SIGNATURE);
        List<Long> signature = signatureAt == 0 ? shape : dims(t, TENSOR_SHAPE_SIGNATURE, where + ".shape_signature", -1);
        if (signature.size() != shape.size()) {
            throw new TfliteFormatException(where + ".shape_signature has rank " + signature.size() + " but shape has rank " + shape.size());
        }
        long bufferAt = r.field(t, TENSOR_BUFFER);
        long buffer = bufferAt == 0 ? 0 : r.u32(bufferAt);
        if (buffer >= bufferSizes.size()) {
            throw new TfliteFormatException(where + ".buffer " + buffer + " is out of range: the model has " + bufferSizes.size() + " buffers");
        }
        if (bufferSizes.get((int) buffer) > 0) parameterCount += elements(shape);
        quantization(t, where, shape);
        return new Tensor(name, DTYPES[type], signature);
    }

    private List<Long> dims(long t, int field, String where, long min) throws IOException {
        long at = r.field(t, field);
        if (at == 0) return List.of();
        long vector = r.vector(at, 4, limits.maxRank(), where);
        read(r.length(vector));
        List<Long> dims = new ArrayList<>();
        for (long d = 0; d < r.length(vector); d++) {
            long v = r.i32(vector + 4 + 4 * d);
            if (v < min) throw new TfliteFormatException(where + "[" + d + "] is " + v);
            dims.add(v);
        }
        return Collections.unmodifiableList(dims);
    }

    /** Scale and zero point counts agree, and per-channel parameters name a dimension of that size. */
    private void quantization(long t, String where, List<Long> shape) throws IOException {
        long qAt = r.field(t, TENSOR_QUANTIZATION);
        if (qAt == 0) return;
        long q = r.deref(qAt);
        String at = where + ".quantization";
        long scaleAt = r.field(q, QUANT_SCALE), zeroAt = r.field(q, QUANT_ZERO_POINT);
        long scales = scaleAt == 0 ? 0 : r.length(r.vector(scaleAt, 4, limits.maxQuantizationParams(), at + ".scale"));
        long zeros = zeroAt == 0 ? 0 : r.length(r.vector(zeroAt, 8, limits.maxQuantizationParams(), at + ".zero_point"));
        if (scales == 0 && zeros == 0) return;
        read(scales + zeros);
        if (scales != zeros) throw new TfliteFormatException(at + " has " + scales + " scales but " + zeros + " zero points");
        if (scales > 1) {
            long dimAt = r.field(q, QUANT_DIMENSION);
            long dim = dimAt == 0 ? 0 : r.i32(dimAt);
            if (dim < 0 || dim >= shape.size()) {
                throw new TfliteFormatException(at + ".quantized_dimension " + dim + " is not a dimension of a rank-" + shape.size() + " tensor");
            }
            if (shape.get((int) dim) != scales) {
                throw new TfliteFormatException(at + " has " + scales + " scales for dimension " + dim + " of size " + shape.get((int) dim));
            }
        }
        long scale = r.vector(scaleAt, 4, limits.maxQuantizationParams(), at + ".scale");
        for (long i = 0; i < scales; i++) {
            float s = Float.intBitsToFloat(r.i32(scale + 4 + 4 * i));
            if (!Float.isFinite(s) || s < 0) throw new TfliteFormatException(at + ".scale[" + i + "] is " + s);
        }
    }

    /** Tensor indices in range; -1 (an optional input left out) only where {@code optional}. */
    private List<Integer> indices(long table, int field, String where, int tensors, boolean optional) throws IOException {
        long at = r.field(table, field);
        if (at == 0) return List.of();
        long vector = r.vector(at, 4, limits.maxTensors(), where);
        read(r.length(vector));
        List<Integer> result = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (long i = 0; i < r.length(vector); i++) {
            int index = r.i32(vector + 4 + 4 * i);
            if (index == -1 && optional) continue;
            if (index < 0 || index >= tensors) {
                throw new TfliteFormatException(where + "[" + i + "] is tensor " + index + ", out of range: the subgraph has " + tensors + " tensors");
            }
            if (seen.add(index)) result.add(index);
        }
        return result;
    }

    /** Counts entries against {@link Limits#maxEntriesRead}. */
    private void read(long entries) throws TfliteFormatException {
        entriesRead += entries;
        if (entriesRead > limits.maxEntriesRead()) {
            throw new TfliteFormatException("more than " + limits.maxEntriesRead() + " names' bytes, dimensions, indices and quantization parameters in all");
        }
    }

    /** Elements of a constant tensor (0 when the shape overflows, which only a hostile file declares). */
    private static long elements(List<Long> shape) {
        long n = 1;
        try {
            for (long d : shape) n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
            return 0;
        }
        return n;
    }
}
