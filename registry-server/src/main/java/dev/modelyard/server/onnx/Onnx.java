package dev.modelyard.server.onnx;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The subset of the ONNX protobuf schema ({@code onnx.proto}, IR version 3 and later) that the
 * registry reads and rewrites. Fields it does not model are kept as their raw encoding and
 * written back unchanged, so reading and writing a model loses nothing.
 */
public final class Onnx {

    private Onnx() {
    }

    /**
     * How much of a file to keep in memory.
     *
     * @param keepTensorData    keep tensor payloads (else their sizes are counted and they are skipped)
     * @param keepUnknownFields keep fields the schema subset does not model (needed to write the model back)
     * @param keepDocStrings    keep doc strings (else they are skipped)
     * @param maxFieldBytes     longest string or bytes field that is read into memory (tensor payloads aside)
     */
    public record ReadOptions(boolean keepTensorData, boolean keepUnknownFields, boolean keepDocStrings, long maxFieldBytes) {
        /** Everything: for rewriting a model. */
        public static final ReadOptions FULL = new ReadOptions(true, true, true, Integer.MAX_VALUE - 16);
        /**
         * Structure only, for inspecting large uploads with little memory: tensor payloads, doc
         * strings and unknown fields are skipped, and no other field may exceed 1 MiB.
         */
        public static final ReadOptions STRUCTURE = new ReadOptions(false, false, false, 1 << 20);
    }

    private static String doc(ProtoReader r, ReadOptions o, String field) throws IOException {
        if (o.keepDocStrings()) return r.readString(field);
        r.skipBytes(field);
        return null;
    }

    /** TensorProto.DataType values. */
    public static final class DataType {
        public static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8,
                BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13, COMPLEX64 = 14, COMPLEX128 = 15, BFLOAT16 = 16;

        private DataType() {
        }

        /** The registry's dtype name of an element type, or null when it has none. */
        public static String dtype(int type) {
            return switch (type) {
                case FLOAT -> "float32";
                case UINT8 -> "uint8";
                case INT8 -> "int8";
                case UINT16 -> "uint16";
                case INT16 -> "int16";
                case INT32 -> "int32";
                case INT64 -> "int64";
                case STRING -> "string";
                case BOOL -> "bool";
                case FLOAT16 -> "float16";
                case DOUBLE -> "float64";
                case UINT32 -> "uint32";
                case UINT64 -> "uint64";
                case BFLOAT16 -> "bfloat16";
                default -> null;
            };
        }

        /** A readable name for any element type number. */
        public static String name(int type) {
            String d = dtype(type);
            if (d != null) return d;
            return switch (type) {
                case 0 -> "undefined";
                case COMPLEX64 -> "complex64";
                case COMPLEX128 -> "complex128";
                default -> "type" + type;
            };
        }

        /** Bytes per element in raw_data, or 0 for types without a fixed width. */
        public static int width(int type) {
            return switch (type) {
                case FLOAT, INT32, UINT32 -> 4;
                case UINT8, INT8, BOOL -> 1;
                case UINT16, INT16, FLOAT16, BFLOAT16 -> 2;
                case INT64, DOUBLE, UINT64, COMPLEX64 -> 8;
                case COMPLEX128 -> 16;
                default -> 0;
            };
        }
    }

    /** AttributeProto.AttributeType values. */
    public static final class AttributeType {
        public static final int FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8,
                TENSORS = 9, GRAPHS = 10;

        private AttributeType() {
        }
    }

    // ---------------------------------------------------------------- reading and writing files

    /** Reads a whole model into memory (files up to 2 GiB). */
    public static ModelProto read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new OnnxFormatException("the file is " + size + " bytes; models over 2 GiB must keep their weights as external data, which is not supported");
        }
        return parse(Files.readAllBytes(file), ReadOptions.FULL);
    }

    /** Reads a file through a small window, with the given options. */
    public static ModelProto read(Path file, ReadOptions options) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ModelProto.read(ProtoReader.of(ch).maxFieldBytes(options.maxFieldBytes()), options);
        }
    }

    public static ModelProto parse(byte[] bytes, ReadOptions options) throws IOException {
        return ModelProto.read(ProtoReader.of(bytes).maxFieldBytes(options.maxFieldBytes()), options);
    }

    public static byte[] toBytes(ProtoWriter.Message m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(ProtoWriter.to(out));
        return out.toByteArray();
    }

    /** Writes a model to a file (replacing it). */
    public static void write(ModelProto m, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            m.writeTo(ProtoWriter.to(out));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static ByteArrayOutputStream keep(ReadOptions o) {
        return o.keepUnknownFields() ? new ByteArrayOutputStream() : null;
    }

    private static byte[] kept(ByteArrayOutputStream b) {
        return b == null || b.size() == 0 ? new byte[0] : b.toByteArray();
    }

    // ---------------------------------------------------------------- messages

    public record ModelProto(long irVersion, List<OperatorSetId> opsetImport, String producerName, String producerVersion,
                             String domain, long modelVersion, String docString, GraphProto graph,
                             List<StringStringEntry> metadataProps, byte[] unknown) implements ProtoWriter.Message {

        public ModelProto withGraph(GraphProto g) {
            return new ModelProto(irVersion, opsetImport, producerName, producerVersion, domain, modelVersion, docString, g,
                    metadataProps, unknown);
        }

        public ModelProto withOpsetImport(List<OperatorSetId> opsets) {
            return new ModelProto(irVersion, opsets, producerName, producerVersion, domain, modelVersion, docString, graph,
                    metadataProps, unknown);
        }

        /** The imported version of a domain ("" and "ai.onnx" are the default domain), or -1. */
        public long opset(String domain) {
            for (OperatorSetId o : opsetImport) {
                if (sameDomain(o.domain(), domain)) return o.version();
            }
            return -1;
        }

        static ModelProto read(ProtoReader r, ReadOptions o) throws IOException {
            long ir = 0, modelVersion = 0;
            List<OperatorSetId> opsets = new ArrayList<>();
            String producer = null, producerVersion = null, domain = null, doc = null;
            GraphProto graph = null;
            List<StringStringEntry> props = new ArrayList<>();
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("ModelProto");
                switch (f) {
                    case 1 -> ir = r.readInt64("ModelProto.ir_version");
                    case 2 -> producer = r.readString("ModelProto.producer_name");
                    case 3 -> producerVersion = r.readString("ModelProto.producer_version");
                    case 4 -> domain = r.readString("ModelProto.domain");
                    case 5 -> modelVersion = r.readInt64("ModelProto.model_version");
                    case 6 -> doc = doc(r, o, "ModelProto.doc_string");
                    case 7 -> graph = r.readMessage("ModelProto.graph", x -> GraphProto.read(x, o));
                    case 8 -> opsets.add(r.readMessage("ModelProto.opset_import", x -> OperatorSetId.read(x, o)));
                    case 14 -> props.add(r.readMessage("ModelProto.metadata_props", x -> StringStringEntry.read(x, o)));
                    default -> r.skipField(f, unknown, "ModelProto");
                }
            }
            return new ModelProto(ir, opsets, producer, producerVersion, domain, modelVersion, doc, graph, props, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            if (irVersion != 0) w.int64(1, irVersion);
            w.string(2, producerName);
            w.string(3, producerVersion);
            w.string(4, domain);
            if (modelVersion != 0) w.int64(5, modelVersion);
            w.string(6, docString);
            w.message(7, graph);
            w.messages(8, opsetImport);
            w.messages(14, metadataProps);
            w.raw(unknown);
        }
    }

    static boolean sameDomain(String a, String b) {
        return norm(a).equals(norm(b));
    }

    private static String norm(String d) {
        return d == null || d.equals("ai.onnx") ? "" : d;
    }

    public record OperatorSetId(String domain, long version, byte[] unknown) implements ProtoWriter.Message {
        public OperatorSetId(String domain, long version) {
            this(domain, version, new byte[0]);
        }

        static OperatorSetId read(ProtoReader r, ReadOptions o) throws IOException {
            String domain = null;
            long version = 0;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("OperatorSetIdProto");
                switch (f) {
                    case 1 -> domain = r.readString("OperatorSetIdProto.domain");
                    case 2 -> version = r.readInt64("OperatorSetIdProto.version");
                    default -> r.skipField(f, unknown, "OperatorSetIdProto");
                }
            }
            return new OperatorSetId(domain, version, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.string(1, domain);
            w.int64(2, version);
            w.raw(unknown);
        }
    }

    public record StringStringEntry(String key, String value, byte[] unknown) implements ProtoWriter.Message {
        public StringStringEntry(String key, String value) {
            this(key, value, new byte[0]);
        }

        static StringStringEntry read(ProtoReader r, ReadOptions o) throws IOException {
            String k = null, v = null;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("StringStringEntryProto");
                switch (f) {
                    case 1 -> k = r.readString("StringStringEntryProto.key");
                    case 2 -> v = r.readString("StringStringEntryProto.value");
                    default -> r.skipField(f, unknown, "StringStringEntryProto");
                }
            }
            return new StringStringEntry(k, v, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.string(1, key);
            w.string(2, value);
            w.raw(unknown);
        }
    }

    public record GraphProto(List<NodeProto> node, String name, List<TensorProto> initializer, String docString,
                             List<ValueInfoProto> input, List<ValueInfoProto> output, List<ValueInfoProto> valueInfo,
                             byte[] unknown) implements ProtoWriter.Message {

        public GraphProto(List<NodeProto> node, String name, List<TensorProto> initializer, List<ValueInfoProto> input,
                          List<ValueInfoProto> output) {
            this(node, name, initializer, null, input, output, List.of(), new byte[0]);
        }

        public GraphProto withNodesAndInitializers(List<NodeProto> nodes, List<TensorProto> inits) {
            return new GraphProto(nodes, name, inits, docString, input, output, valueInfo, unknown);
        }

        static GraphProto read(ProtoReader r, ReadOptions o) throws IOException {
            List<NodeProto> nodes = new ArrayList<>();
            List<TensorProto> inits = new ArrayList<>();
            List<ValueInfoProto> in = new ArrayList<>(), out = new ArrayList<>(), vi = new ArrayList<>();
            String name = null, doc = null;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("GraphProto");
                switch (f) {
                    case 1 -> nodes.add(r.readMessage("GraphProto.node", x -> NodeProto.read(x, o)));
                    case 2 -> name = r.readString("GraphProto.name");
                    case 5 -> inits.add(r.readMessage("GraphProto.initializer", x -> TensorProto.read(x, o)));
                    case 10 -> doc = doc(r, o, "GraphProto.doc_string");
                    case 11 -> in.add(r.readMessage("GraphProto.input", x -> ValueInfoProto.read(x, o)));
                    case 12 -> out.add(r.readMessage("GraphProto.output", x -> ValueInfoProto.read(x, o)));
                    case 13 -> vi.add(r.readMessage("GraphProto.value_info", x -> ValueInfoProto.read(x, o)));
                    default -> r.skipField(f, unknown, "GraphProto");
                }
            }
            return new GraphProto(nodes, name, inits, doc, in, out, vi, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.messages(1, node);
            w.string(2, name);
            w.messages(5, initializer);
            w.string(10, docString);
            w.messages(11, input);
            w.messages(12, output);
            w.messages(13, valueInfo);
            w.raw(unknown);
        }
    }

    public record NodeProto(List<String> input, List<String> output, String name, String opType, String domain,
                            List<AttributeProto> attribute, String docString, byte[] unknown) implements ProtoWriter.Message {

        public NodeProto(String opType, List<String> input, List<String> output, String name, List<AttributeProto> attribute) {
            this(input, output, name, opType, null, attribute, null, new byte[0]);
        }

        /** An attribute by name, or null. */
        public AttributeProto attribute(String attrName) {
            for (AttributeProto a : attribute) if (attrName.equals(a.name())) return a;
            return null;
        }

        static NodeProto read(ProtoReader r, ReadOptions o) throws IOException {
            List<String> in = new ArrayList<>(), out = new ArrayList<>();
            List<AttributeProto> attrs = new ArrayList<>();
            String name = null, op = null, domain = null, doc = null;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("NodeProto");
                switch (f) {
                    case 1 -> in.add(r.readString("NodeProto.input"));
                    case 2 -> out.add(r.readString("NodeProto.output"));
                    case 3 -> name = r.readString("NodeProto.name");
                    case 4 -> op = r.readString("NodeProto.op_type");
                    case 5 -> attrs.add(r.readMessage("NodeProto.attribute", x -> AttributeProto.read(x, o)));
                    case 6 -> doc = doc(r, o, "NodeProto.doc_string");
                    case 7 -> domain = r.readString("NodeProto.domain");
                    default -> r.skipField(f, unknown, "NodeProto");
                }
            }
            return new NodeProto(in, out, name, op, domain, attrs, doc, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.strings(1, input);
            w.strings(2, output);
            w.string(3, name);
            w.string(4, opType);
            w.messages(5, attribute);
            w.string(6, docString);
            w.string(7, domain);
            w.raw(unknown);
        }
    }

    public record AttributeProto(String name, int type, float f, long i, byte[] s, TensorProto t, GraphProto g,
                                 float[] floats, long[] ints, List<byte[]> strings, List<TensorProto> tensors,
                                 List<GraphProto> graphs, String docString, byte[] unknown) implements ProtoWriter.Message {

        public static AttributeProto ofInt(String name, long value) {
            return new AttributeProto(name, AttributeType.INT, 0, value, null, null, null, new float[0], new long[0],
                    List.of(), List.of(), List.of(), null, new byte[0]);
        }

        public static AttributeProto ofFloat(String name, float value) {
            return new AttributeProto(name, AttributeType.FLOAT, value, 0, null, null, null, new float[0], new long[0],
                    List.of(), List.of(), List.of(), null, new byte[0]);
        }

        public static AttributeProto ofInts(String name, long... values) {
            return new AttributeProto(name, AttributeType.INTS, 0, 0, null, null, null, new float[0], values,
                    List.of(), List.of(), List.of(), null, new byte[0]);
        }

        static AttributeProto read(ProtoReader r, ReadOptions o) throws IOException {
            String name = null, doc = null;
            int type = 0;
            float fv = 0;
            long iv = 0;
            byte[] s = null;
            TensorProto t = null;
            GraphProto g = null;
            Values.Floats floats = new Values.Floats();
            Values.Longs ints = new Values.Longs();
            List<byte[]> strings = new ArrayList<>();
            List<TensorProto> tensors = new ArrayList<>();
            List<GraphProto> graphs = new ArrayList<>();
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("AttributeProto");
                switch (f) {
                    case 1 -> name = r.readString("AttributeProto.name");
                    case 2 -> fv = r.readFloat("AttributeProto.f");
                    case 3 -> iv = r.readInt64("AttributeProto.i");
                    case 4 -> s = r.readBytes("AttributeProto.s");
                    case 5 -> t = r.readMessage("AttributeProto.t", x -> TensorProto.read(x, o));
                    case 6 -> g = r.readMessage("AttributeProto.g", x -> GraphProto.read(x, o));
                    case 7 -> r.readFloats("AttributeProto.floats", floats);
                    case 8 -> r.readVarints("AttributeProto.ints", ints);
                    case 9 -> strings.add(r.readBytes("AttributeProto.strings"));
                    case 10 -> tensors.add(r.readMessage("AttributeProto.tensors", x -> TensorProto.read(x, o)));
                    case 11 -> graphs.add(r.readMessage("AttributeProto.graphs", x -> GraphProto.read(x, o)));
                    case 13 -> doc = doc(r, o, "AttributeProto.doc_string");
                    case 20 -> type = r.readInt32("AttributeProto.type");
                    default -> r.skipField(f, unknown, "AttributeProto");
                }
            }
            return new AttributeProto(name, type, fv, iv, s, t, g, floats.toArray(), ints.toArray(), strings, tensors, graphs,
                    doc, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.string(1, name);
            if (f != 0 || type == AttributeType.FLOAT) w.float32(2, f);
            if (i != 0 || type == AttributeType.INT) w.int64(3, i);
            if (s != null) w.bytes(4, s);
            w.message(5, t);
            w.message(6, g);
            w.packedFloats(7, floats);
            w.packedVarints(8, ints);
            for (byte[] b : strings) w.bytes(9, b);
            w.messages(10, tensors);
            w.messages(11, graphs);
            w.string(13, docString);
            if (type != 0) w.int32(20, type);
            w.raw(unknown);
        }
    }

    public record TensorProto(long[] dims, int dataType, String name, byte[] rawData, float[] floatData, int[] int32Data,
                              long[] int64Data, double[] doubleData, long[] uint64Data, List<byte[]> stringData,
                              String docString, int dataLocation, List<StringStringEntry> externalData,
                              long skippedDataBytes, byte[] unknown) implements ProtoWriter.Message {

        public static final int EXTERNAL = 1;

        /** A tensor whose values are little-endian bytes in raw_data. */
        public static TensorProto raw(String name, int dataType, long[] dims, byte[] raw) {
            return new TensorProto(dims, dataType, name, raw, new float[0], new int[0], new long[0], new double[0],
                    new long[0], List.of(), null, 0, List.of(), 0, new byte[0]);
        }

        public static TensorProto ofFloats(String name, long[] dims, float[] values) {
            ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return raw(name, DataType.FLOAT, dims, b.array());
        }

        public static TensorProto ofInt64s(String name, long[] dims, long[] values) {
            ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(values);
            return raw(name, DataType.INT64, dims, b.array());
        }

        public boolean isExternal() {
            return dataLocation == EXTERNAL || !externalData.isEmpty();
        }

        /** The number of elements its dims describe (1 for a scalar); fails on overflow or negative dims. */
        public long elementCount() throws OnnxFormatException {
            long n = 1;
            for (long d : dims) {
                if (d < 0) throw new OnnxFormatException("tensor '" + name + "' has a negative dimension " + d);
                try {
                    n = Math.multiplyExact(n, d);
                } catch (ArithmeticException e) {
                    throw new OnnxFormatException("tensor '" + name + "' has dimensions " + Arrays.toString(dims) + " whose product overflows");
                }
            }
            return n;
        }

        /** The values of a float tensor, from raw_data or float_data. */
        public float[] floats() throws OnnxFormatException {
            if (dataType != DataType.FLOAT) {
                throw new OnnxFormatException("tensor '" + name + "' holds " + DataType.name(dataType) + ", not float32");
            }
            if (isExternal()) throw new OnnxFormatException("tensor '" + name + "' keeps its data in an external file, which is not supported");
            long n = elementCount();
            if (rawData != null && rawData.length > 0 || n == 0) {
                byte[] b = rawData == null ? new byte[0] : rawData;
                if (b.length != 4L * n) {
                    throw new OnnxFormatException("tensor '" + name + "' has " + b.length + " bytes of raw_data for " + n + " float32 values");
                }
                float[] out = new float[(int) n];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
                return out;
            }
            if (floatData.length != n) {
                throw new OnnxFormatException("tensor '" + name + "' has " + floatData.length + " float_data values for " + n + " elements");
            }
            return floatData.clone();
        }

        static TensorProto read(ProtoReader r, ReadOptions o) throws IOException {
            Values.Longs dims = new Values.Longs();
            int type = 0, location = 0;
            String name = null, doc = null;
            byte[] raw = null;
            Values.Floats floats = new Values.Floats();
            Values.Longs int32 = new Values.Longs(), int64 = new Values.Longs(), uint64 = new Values.Longs();
            Values.Doubles doubles = new Values.Doubles();
            List<byte[]> strings = new ArrayList<>();
            List<StringStringEntry> external = new ArrayList<>();
            long skipped = 0;
            boolean data = o.keepTensorData();
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("TensorProto");
                switch (f) {
                    case 1 -> r.readVarints("TensorProto.dims", dims);
                    case 2 -> type = r.readInt32("TensorProto.data_type");
                    case 8 -> name = r.readString("TensorProto.name");
                    case 12 -> doc = doc(r, o, "TensorProto.doc_string");
                    case 13 -> external.add(r.readMessage("TensorProto.external_data", x -> StringStringEntry.read(x, o)));
                    case 14 -> location = r.readInt32("TensorProto.data_location");
                    default -> {
                        if (!data && f >= 4 && f <= 11 && f != 8) {
                            if (r.wireType() == ProtoReader.LEN) {
                                skipped += r.skipBytes("TensorProto field " + f);
                            } else {
                                long before = r.position();
                                r.skipField(f, null, "TensorProto");
                                skipped += r.position() - before;
                            }
                            continue;
                        }
                        switch (f) {
                            case 4 -> r.readFloats("TensorProto.float_data", floats);
                            case 5 -> r.readVarints("TensorProto.int32_data", int32);
                            case 6 -> strings.add(r.readBytes("TensorProto.string_data"));
                            case 7 -> r.readVarints("TensorProto.int64_data", int64);
                            case 9 -> raw = r.readPayload("TensorProto.raw_data");
                            case 10 -> r.readDoubles("TensorProto.double_data", doubles);
                            case 11 -> r.readVarints("TensorProto.uint64_data", uint64);
                            default -> r.skipField(f, unknown, "TensorProto");
                        }
                    }
                }
            }
            long[] wide = int32.toArray();
            int[] i32 = new int[wide.length];
            for (int k = 0; k < wide.length; k++) i32[k] = (int) wide[k];
            return new TensorProto(dims.toArray(), type, name, raw, floats.toArray(), i32, int64.toArray(), doubles.toArray(),
                    uint64.toArray(), strings, doc, location, external, skipped, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.packedVarints(1, dims);
            if (dataType != 0) w.int32(2, dataType);
            w.packedFloats(4, floatData);
            w.packedInt32s(5, int32Data);
            for (byte[] s : stringData) w.bytes(6, s);
            w.packedVarints(7, int64Data);
            w.string(8, name);
            if (rawData != null) w.bytes(9, rawData);
            w.packedDoubles(10, doubleData);
            w.packedVarints(11, uint64Data);
            w.string(12, docString);
            w.messages(13, externalData);
            if (dataLocation != 0) w.int32(14, dataLocation);
            w.raw(unknown);
        }
    }

    public record ValueInfoProto(String name, TypeProto type, String docString, byte[] unknown) implements ProtoWriter.Message {

        /** A tensor value: element type and shape entries (Long sizes, String names, null for unknown). */
        public static ValueInfoProto tensor(String name, int elemType, Object... dims) {
            List<Dimension> ds = new ArrayList<>();
            for (Object d : dims) {
                ds.add(d instanceof Number n ? new Dimension(n.longValue(), null, null, new byte[0])
                        : new Dimension(null, (String) d, null, new byte[0]));
            }
            return new ValueInfoProto(name, new TypeProto(new TensorType(elemType, new TensorShapeProto(ds, new byte[0]), new byte[0]),
                    null, new byte[0]), null, new byte[0]);
        }

        static ValueInfoProto read(ProtoReader r, ReadOptions o) throws IOException {
            String name = null, doc = null;
            TypeProto type = null;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("ValueInfoProto");
                switch (f) {
                    case 1 -> name = r.readString("ValueInfoProto.name");
                    case 2 -> type = r.readMessage("ValueInfoProto.type", x -> TypeProto.read(x, o));
                    case 3 -> doc = doc(r, o, "ValueInfoProto.doc_string");
                    default -> r.skipField(f, unknown, "ValueInfoProto");
                }
            }
            return new ValueInfoProto(name, type, doc, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.string(1, name);
            w.message(2, type);
            w.string(3, docString);
            w.raw(unknown);
        }
    }

    /** A value's type; only tensor types are modelled (sequences, maps, … are kept as unknown fields). */
    public record TypeProto(TensorType tensorType, String denotation, byte[] unknown) implements ProtoWriter.Message {
        static TypeProto read(ProtoReader r, ReadOptions o) throws IOException {
            TensorType t = null;
            String denotation = null;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("TypeProto");
                switch (f) {
                    case 1 -> t = r.readMessage("TypeProto.tensor_type", x -> TensorType.read(x, o));
                    case 6 -> denotation = r.readString("TypeProto.denotation");
                    default -> r.skipField(f, unknown, "TypeProto");
                }
            }
            return new TypeProto(t, denotation, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.message(1, tensorType);
            w.string(6, denotation);
            w.raw(unknown);
        }
    }

    public record TensorType(int elemType, TensorShapeProto shape, byte[] unknown) implements ProtoWriter.Message {
        static TensorType read(ProtoReader r, ReadOptions o) throws IOException {
            int elem = 0;
            TensorShapeProto shape = null;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("TypeProto.Tensor");
                switch (f) {
                    case 1 -> elem = r.readInt32("TypeProto.Tensor.elem_type");
                    case 2 -> shape = r.readMessage("TypeProto.Tensor.shape", x -> TensorShapeProto.read(x, o));
                    default -> r.skipField(f, unknown, "TypeProto.Tensor");
                }
            }
            return new TensorType(elem, shape, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            if (elemType != 0) w.int32(1, elemType);
            w.message(2, shape);
            w.raw(unknown);
        }
    }

    public record TensorShapeProto(List<Dimension> dim, byte[] unknown) implements ProtoWriter.Message {
        static TensorShapeProto read(ProtoReader r, ReadOptions o) throws IOException {
            List<Dimension> dims = new ArrayList<>();
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("TensorShapeProto");
                if (f == 1) {
                    dims.add(r.readMessage("TensorShapeProto.dim", x -> Dimension.read(x, o)));
                } else {
                    r.skipField(f, unknown, "TensorShapeProto");
                }
            }
            return new TensorShapeProto(dims, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            w.messages(1, dim);
            w.raw(unknown);
        }
    }

    /** One dimension: a size, a symbolic name, or neither (unknown). */
    public record Dimension(Long dimValue, String dimParam, String denotation, byte[] unknown) implements ProtoWriter.Message {
        static Dimension read(ProtoReader r, ReadOptions o) throws IOException {
            Long value = null;
            String param = null, denotation = null;
            ByteArrayOutputStream unknown = keep(o);
            while (!r.atEnd()) {
                int f = r.readTag("TensorShapeProto.Dimension");
                switch (f) {
                    case 1 -> value = r.readInt64("TensorShapeProto.Dimension.dim_value");
                    case 2 -> param = r.readString("TensorShapeProto.Dimension.dim_param");
                    case 3 -> denotation = r.readString("TensorShapeProto.Dimension.denotation");
                    default -> r.skipField(f, unknown, "TensorShapeProto.Dimension");
                }
            }
            return new Dimension(value, param, denotation, kept(unknown));
        }

        @Override
        public void writeTo(ProtoWriter w) {
            if (dimValue != null) w.int64(1, dimValue);
            w.string(2, dimParam);
            w.string(3, denotation);
            w.raw(unknown);
        }
    }
}
