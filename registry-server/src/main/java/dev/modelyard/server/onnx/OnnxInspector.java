package dev.modelyard.server.onnx;

import dev.modelyard.server.onnx.Onnx.Dimension;
import dev.modelyard.server.onnx.Onnx.GraphProto;
import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx.NodeProto;
import dev.modelyard.server.onnx.Onnx.TensorProto;
import dev.modelyard.server.onnx.Onnx.ValueInfoProto;
import dev.modelyard.wire.IoSignature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks that a file is an ONNX model the registry can serve and describes it: IR version, opset
 * imports, inputs and outputs, parameter count and operators. The file is scanned through a
 * small window and tensor payloads are skipped, so memory use depends on the size of the graph,
 * not of the weights.
 */
public final class OnnxInspector {

    /**
     * What is accepted.
     *
     * @param maxBytes    larger files are refused before parsing
     * @param minOpset    lowest accepted version of the default ONNX domain
     * @param maxOpset    highest accepted version of the default ONNX domain
     * @param maxIrVersion highest accepted IR version
     */
    public record Limits(long maxBytes, int minOpset, int maxOpset, int maxIrVersion) {
        public static final Limits DEFAULT = new Limits(Integer.MAX_VALUE - 16L, 7, 23, 11);
    }

    /** One input or output: its element type (registry dtype name) and shape (sizes, names, or -1). */
    public record Tensor(String name, String elemType, List<Object> shape) {
    }

    /** What was found in a model. Operators are keyed {@code op_type} (default domain) or {@code domain:op_type}. */
    public record Report(long irVersion, Map<String, Long> opsets, List<Tensor> inputs, List<Tensor> outputs,
                         long parameterCount, Map<String, Integer> operators, String producer) {

        /** The I/O signature, when every input and output is a tensor of a type the registry names. */
        public Optional<IoSignature> ioSignature() {
            List<IoSignature.TensorSpec> in = new ArrayList<>(), out = new ArrayList<>();
            for (Tensor t : inputs) in.add(new IoSignature.TensorSpec(t.name(), t.elemType(), t.shape()));
            for (Tensor t : outputs) out.add(new IoSignature.TensorSpec(t.name(), t.elemType(), t.shape()));
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
            m.put("irVersion", irVersion);
            m.put("opsets", opsets);
            m.put("inputs", tensors(inputs));
            m.put("outputs", tensors(outputs));
            m.put("parameterCount", parameterCount);
            m.put("operators", operators);
            if (producer != null) m.put("producer", producer);
            return m;
        }

        private static List<Map<String, Object>> tensors(List<Tensor> ts) {
            List<Map<String, Object>> r = new ArrayList<>();
            for (Tensor t : ts) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("dtype", t.elemType());
                m.put("shape", t.shape());
                r.add(m);
            }
            return r;
        }
    }

    private OnnxInspector() {
    }

    /** Inspects a file; {@link OnnxFormatException} says why it is refused. */
    public static Report inspect(Path file, Limits limits) throws IOException {
        long size = Files.size(file);
        if (size == 0) throw new OnnxFormatException("not an ONNX model: the file is empty");
        if (size > limits.maxBytes()) {
            throw new OnnxFormatException("the file is " + size + " bytes, more than the " + limits.maxBytes()
                    + " bytes an ONNX model may have here (larger models need external data, which is not supported)");
        }
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        checkHead(head, n);
        ModelProto m;
        try {
            m = Onnx.read(file, Onnx.ReadOptions.STRUCTURE);
        } catch (OnnxFormatException e) {
            throw new OnnxFormatException("not a valid ONNX model: " + e.getMessage());
        }
        return describe(m, limits);
    }

    /** Recognises common other formats and refuses a first byte that cannot start a ModelProto. */
    static void checkHead(byte[] head, int n) throws OnnxFormatException {
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) {
            throw new OnnxFormatException("not an ONNX model: this is a zip archive (a PyTorch or Keras save file, for instance); export the model to ONNX");
        }
        if (n >= 8 && new String(head, 4, 4, StandardCharsets.ISO_8859_1).equals("TFL3")) {
            throw new OnnxFormatException("not an ONNX model: this is a TensorFlow Lite file; upload it with format tflite");
        }
        if (n >= 4 && head[0] == (byte) 0x89 && head[1] == 'H' && head[2] == 'D' && head[3] == 'F') {
            throw new OnnxFormatException("not an ONNX model: this is an HDF5 file (a Keras model?); export the model to ONNX");
        }
        int key = head[0] & 0xff;
        int field = (key & 0x7f) >>> 3;
        int wire = key & 7;
        boolean varintField = field == 1 || field == 5;
        boolean lenField = field == 2 || field == 3 || field == 4 || field == 6 || field == 7 || field == 8 || field == 14;
        if ((key & 0x80) != 0 || !(varintField && wire == 0 || lenField && wire == 2)) {
            throw new OnnxFormatException(String.format(
                    "not an ONNX model: the first byte 0x%02x does not start a ModelProto field", key));
        }
    }

    static Report describe(ModelProto m, Limits limits) throws OnnxFormatException {
        if (m.irVersion() <= 0) throw new OnnxFormatException("not an ONNX model: ModelProto.ir_version is missing");
        if (m.graph() == null) throw new OnnxFormatException("not an ONNX model: ModelProto.graph is missing");
        if (m.irVersion() < 3) {
            throw new OnnxFormatException("IR version " + m.irVersion() + " is too old (before operator set imports); convert the model to IR version 3 or later");
        }
        if (m.irVersion() > limits.maxIrVersion()) {
            throw new OnnxFormatException("IR version " + m.irVersion() + " is newer than the highest supported, " + limits.maxIrVersion());
        }
        Map<String, Long> opsets = new TreeMap<>();
        for (Onnx.OperatorSetId o : m.opsetImport()) {
            String d = o.domain() == null || o.domain().equals("ai.onnx") ? "" : o.domain();
            opsets.put(d.isEmpty() ? "ai.onnx" : d, o.version());
        }
        Long core = opsets.get("ai.onnx");
        if (core == null) {
            throw new OnnxFormatException("unsupported opset: the model does not import the default ONNX domain (ai.onnx)");
        }
        if (core < limits.minOpset() || core > limits.maxOpset()) {
            throw new OnnxFormatException("unsupported opset: the model uses ai.onnx opset " + core + "; opsets "
                    + limits.minOpset() + " to " + limits.maxOpset() + " are supported");
        }
        GraphProto g = m.graph();
        Set<String> initNames = new HashSet<>();
        long params = 0;
        for (TensorProto t : g.initializer()) {
            if (t.isExternal()) {
                throw new OnnxFormatException("initializer '" + t.name() + "' keeps its data in an external file; upload a single self-contained .onnx file");
            }
            initNames.add(t.name());
            try {
                params = Math.addExact(params, t.elementCount());
            } catch (ArithmeticException e) {
                throw new OnnxFormatException("the parameter count overflows");
            }
        }
        List<Tensor> inputs = new ArrayList<>();
        for (ValueInfoProto v : g.input()) {
            if (!initNames.contains(v.name())) inputs.add(tensor(v));
        }
        List<Tensor> outputs = new ArrayList<>();
        for (ValueInfoProto v : g.output()) outputs.add(tensor(v));
        if (outputs.isEmpty()) throw new OnnxFormatException("the model's graph has no outputs");
        Map<String, Integer> ops = new TreeMap<>();
        countOps(g, ops, 0);
        String producer = m.producerName() == null ? null
                : m.producerName() + (m.producerVersion() == null ? "" : " " + m.producerVersion());
        return new Report(m.irVersion(), opsets, inputs, outputs, params, ops, producer);
    }

    private static void countOps(GraphProto g, Map<String, Integer> ops, int depth) {
        for (NodeProto n : g.node()) {
            String d = n.domain() == null || n.domain().isEmpty() || n.domain().equals("ai.onnx") ? "" : n.domain() + ":";
            ops.merge(d + n.opType(), 1, Integer::sum);
            for (Onnx.AttributeProto a : n.attribute()) {
                if (a.g() != null) countOps(a.g(), ops, depth + 1);
                for (GraphProto sub : a.graphs()) countOps(sub, ops, depth + 1);
            }
        }
    }

    private static Tensor tensor(ValueInfoProto v) {
        if (v.type() == null || v.type().tensorType() == null) {
            return new Tensor(v.name(), "non-tensor", List.of());
        }
        Onnx.TensorType t = v.type().tensorType();
        List<Object> shape = new ArrayList<>();
        if (t.shape() != null) {
            for (Dimension d : t.shape().dim()) {
                if (d.dimValue() != null) shape.add(d.dimValue());
                else if (d.dimParam() != null && !d.dimParam().isBlank()) shape.add(d.dimParam());
                else shape.add(-1L);
            }
        }
        return new Tensor(v.name(), Onnx.DataType.name(t.elemType()), shape);
    }
}
