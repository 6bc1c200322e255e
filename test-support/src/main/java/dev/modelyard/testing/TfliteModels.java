package dev.modelyard.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * TensorFlow Lite files written field by field from {@code schema.fbs} (no flatbuffers library).
 * {@link #model} writes a {@code Model} (version 3, identifier {@code TFL3}) with one subgraph whose
 * tensors each own a constant buffer and no operators: enough for tools that look at a model's
 * weights (deltas), not for an interpreter. {@link #write(Graph)} writes a complete runnable model
 * (operator codes, operators with builtin options, subgraph inputs and outputs, quantization);
 * {@link TfliteMlp} builds one an interpreter runs and computes what it must answer.
 */
public final class TfliteModels {

    /** TensorType values of the schema. */
    public static final int FLOAT32 = 0, FLOAT16 = 1, INT32 = 2, UINT8 = 3, INT64 = 4, INT8 = 9;

    /** BuiltinOperator values of the schema. */
    public static final int ADD = 0, FULLY_CONNECTED = 9, RELU = 19;

    /** BuiltinOptions union member FullyConnectedOptions. */
    public static final int FULLY_CONNECTED_OPTIONS = 8;

    /** A constant tensor: its name, TensorType, shape and little-endian data. */
    public record Tensor(String name, int type, int[] shape, byte[] data) {
    }

    /** A tensor's QuantizationParameters: one scale and zero point per channel (one for per-tensor). */
    public record Quantization(float[] scale, long[] zeroPoint, int quantizedDimension) {
        public static Quantization perTensor(float scale, long zeroPoint) {
            return new Quantization(new float[] {scale}, new long[] {zeroPoint}, 0);
        }
    }

    /**
     * A tensor of a runnable graph. {@code shapeSignature} (null when absent) marks dynamic
     * dimensions with -1; {@code buffer} 0 is the empty sentinel (activations); quantization may be null.
     */
    public record TensorSpec(String name, int type, int[] shape, int[] shapeSignature, long buffer, Quantization quantization) {
        public TensorSpec withBuffer(long index) {
            return new TensorSpec(name, type, shape, shapeSignature, index, quantization);
        }

        public TensorSpec withShapeSignature(int... signature) {
            return new TensorSpec(name, type, shape, signature, buffer, quantization);
        }
    }

    /**
     * An operator: index into the graph's operator codes, tensor indices (-1 = optional input left
     * out) and, for {@link #FULLY_CONNECTED_OPTIONS}, a FullyConnectedOptions table (no fused activation).
     */
    public record Op(long opcodeIndex, int[] inputs, int[] outputs, int builtinOptionsType) {
    }

    /**
     * A one-subgraph model: builtin operator codes, tensors, operators in execution order, the
     * subgraph's input and output tensor indices, and buffers (index 0 must be the empty sentinel).
     */
    public record Graph(List<Integer> operatorCodes, List<TensorSpec> tensors, List<Op> operators,
            int[] inputs, int[] outputs, List<byte[]> buffers) {
        public Graph withTensor(int index, TensorSpec tensor) {
            List<TensorSpec> copy = new ArrayList<>(tensors);
            copy.set(index, tensor);
            return new Graph(operatorCodes, copy, operators, inputs, outputs, buffers);
        }

        public Graph withOperator(int index, Op op) {
            List<Op> copy = new ArrayList<>(operators);
            copy.set(index, op);
            return new Graph(operatorCodes, tensors, copy, inputs, outputs, buffers);
        }
    }

    private TfliteModels() {
    }

    /** float32 values as a tensor's data. */
    public static byte[] floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    /**
     * The model. Buffer 0 is the schema's empty sentinel; tensor i uses buffer i + 1. Tables are laid
     * out front to back (every offset points forward, as flatbuffers require), data 16-byte aligned.
     */
    public static byte[] model(List<Tensor> tensors) {
        Flat f = new Flat();
        int root = f.offsetSlot();
        f.bytes("TFL3".getBytes(StandardCharsets.US_ASCII));
        // Model: version (0), subgraphs (2), buffers (4)
        int[] model = f.table(new int[] {0, 2, 4}, new int[] {4, 4, 4});
        f.patch(root, model[0]);
        f.putU32(model[1], 3);
        int subgraphs = f.vector(1);
        f.patch(model[2], subgraphs);
        // SubGraph: tensors (0)
        int[] subgraph = f.table(new int[] {0}, new int[] {4});
        f.patch(subgraphs + 4, subgraph[0]);
        int tensorVector = f.vector(tensors.size());
        f.patch(subgraph[1], tensorVector);
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            // Tensor: shape (0), type (1), buffer (2), name (3)
            int[] table = f.table(new int[] {0, 1, 2, 3}, new int[] {4, 1, 4, 4});
            f.patch(tensorVector + 4 + 4 * i, table[0]);
            f.putU8(table[2], t.type());
            f.putU32(table[3], i + 1);
            int shape = f.vector(t.shape().length);
            for (int d = 0; d < t.shape().length; d++) f.putU32(shape + 4 + 4 * d, t.shape()[d]);
            f.patch(table[1], shape);
            f.patch(table[4], f.string(t.name()));
        }
        int bufferVector = f.vector(tensors.size() + 1);
        f.patch(model[3], bufferVector);
        for (int i = 0; i <= tensors.size(); i++) {
            int[] buffer = f.table(new int[] {0}, new int[] {4});
            f.patch(bufferVector + 4 + 4 * i, buffer[0]);
            if (i == 0) continue;
            byte[] data = tensors.get(i - 1).data();
            f.align(16, 4);
            int vec = f.pos();
            f.putU32(vec, data.length);
            f.bytes(new byte[4]);
            f.bytes(data);
            f.patch(buffer[1], vec);
        }
        return f.toByteArray();
    }

    /**
     * A runnable model. Each operator code carries both {@code deprecated_builtin_code} (capped at
     * 127, as the schema says for codes that do not fit a byte) and {@code builtin_code}, so readers
     * built before and after the schema's 2.4 change agree.
     */
    public static byte[] write(Graph g) {
        List<Node> codes = new ArrayList<>();
        for (int code : g.operatorCodes()) {
            codes.add(new Table().scalar(0, 1, Math.min(code, 127)).scalar(2, 4, 1).scalar(3, 4, code));
        }
        List<Node> tensors = new ArrayList<>();
        for (TensorSpec t : g.tensors()) {
            Table table = new Table().child(0, Scalars.ints(t.shape())).scalar(1, 1, t.type())
                    .scalar(2, 4, t.buffer()).child(3, new Str(t.name()));
            if (t.quantization() != null) {
                Quantization q = t.quantization();
                long[] scale = new long[q.scale().length];
                for (int i = 0; i < scale.length; i++) scale[i] = Float.floatToRawIntBits(q.scale()[i]) & 0xffffffffL;
                table.child(4, new Table().child(2, new Scalars(4, 4, scale)).child(3, new Scalars(8, 8, q.zeroPoint()))
                        .scalar(6, 4, q.quantizedDimension()));
            }
            if (t.shapeSignature() != null) table.child(7, Scalars.ints(t.shapeSignature()));
            tensors.add(table);
        }
        List<Node> operators = new ArrayList<>();
        for (Op op : g.operators()) {
            Table table = new Table().scalar(0, 4, op.opcodeIndex()).child(1, Scalars.ints(op.inputs()))
                    .child(2, Scalars.ints(op.outputs()));
            if (op.builtinOptionsType() != 0) {
                table.scalar(3, 1, op.builtinOptionsType()).child(4, new Table().scalar(0, 1, 0));
            }
            operators.add(table);
        }
        Table subgraph = new Table().child(0, new Tables(tensors)).child(1, Scalars.ints(g.inputs()))
                .child(2, Scalars.ints(g.outputs())).child(3, new Tables(operators)).child(4, new Str("main"));
        List<Node> buffers = new ArrayList<>();
        for (byte[] data : g.buffers()) {
            Table buffer = new Table();
            if (data.length > 0) {
                long[] bytes = new long[data.length];
                for (int i = 0; i < data.length; i++) bytes[i] = data[i];
                buffer.child(0, new Scalars(1, 16, bytes));
            }
            buffers.add(buffer);
        }
        Table model = new Table().scalar(0, 4, 3).child(1, new Tables(codes)).child(2, new Tables(List.of(subgraph)))
                .child(3, new Str("modelyard-tests")).child(4, new Tables(buffers));
        Writer w = new Writer();
        w.grow(8);
        w.put(4, 4, 0x334c4654L); // "TFL3" read as a little-endian u32
        int root = w.write(model);
        w.put(0, 4, root);
        return w.toByteArray();
    }

    /** A node of a flatbuffer tree: a table, a string or a vector. */
    private sealed interface Node permits Table, Str, Scalars, Tables {
    }

    /** Fields by id: a scalar {width, value} or a child node. */
    private static final class Table implements Node {
        final java.util.TreeMap<Integer, Object> fields = new java.util.TreeMap<>();

        Table scalar(int id, int width, long value) {
            fields.put(id, new long[] {width, value});
            return this;
        }

        Table child(int id, Node node) {
            fields.put(id, node);
            return this;
        }
    }

    private record Str(String value) implements Node {
    }

    /** A vector of scalars of one width, its first element aligned to {@code align}. */
    private record Scalars(int width, int align, long[] values) implements Node {
        static Scalars ints(int[] v) {
            long[] values = new long[v.length];
            for (int i = 0; i < v.length; i++) values[i] = v[i];
            return new Scalars(4, 4, values);
        }
    }

    private record Tables(List<Node> items) implements Node {
    }

    /**
     * Writes a tree front to back: each node before its children, so every unsigned offset points
     * forward as flatbuffers require; vtables sit just before their tables.
     */
    private static final class Writer {
        byte[] bytes = new byte[256];
        int size;

        void grow(int n) {
            while (size + n > bytes.length) bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
            size += n;
        }

        void pad(int align, int extra) {
            while ((size + extra) % align != 0) grow(1);
        }

        void put(int at, int width, long value) {
            for (int i = 0; i < width; i++) bytes[at + i] = (byte) (value >>> (8 * i));
        }

        /** Writes the node and its children; returns the position an offset to it must reach. */
        int write(Node node) {
            if (node instanceof Table t) return writeTable(t);
            pad(4, 0);
            if (node instanceof Str s) {
                int at = size;
                byte[] b = s.value().getBytes(StandardCharsets.UTF_8);
                grow(4 + b.length + 1);
                put(at, 4, b.length);
                System.arraycopy(b, 0, bytes, at + 4, b.length);
                return at;
            }
            if (node instanceof Scalars v) {
                pad(Math.max(4, v.align()), 4);
                int at = size;
                grow(4 + v.width() * v.values().length);
                put(at, 4, v.values().length);
                for (int i = 0; i < v.values().length; i++) put(at + 4 + v.width() * i, v.width(), v.values()[i]);
                return at;
            }
            Tables v = (Tables) node;
            int at = size;
            grow(4 + 4 * v.items().size());
            put(at, 4, v.items().size());
            for (int i = 0; i < v.items().size(); i++) {
                int slot = at + 4 + 4 * i;
                put(slot, 4, write(v.items().get(i)) - slot);
            }
            return at;
        }

        private int writeTable(Table t) {
            int maxId = t.fields.isEmpty() ? -1 : t.fields.lastKey();
            int[] slot = new int[maxId + 1];
            int inline = 4;
            int tableAlign = 4;
            for (var e : t.fields.entrySet()) {
                int width = e.getValue() instanceof long[] s ? (int) s[0] : 4;
                tableAlign = Math.max(tableAlign, width);
                while (inline % width != 0) inline++;
                slot[e.getKey()] = inline;
                inline += width;
            }
            while (inline % tableAlign != 0) inline++;
            int vtableBytes = 4 + 2 * (maxId + 1);
            pad(2, 0);
            pad(tableAlign, vtableBytes);
            int vtable = size;
            grow(vtableBytes);
            int table = size;
            grow(inline);
            put(vtable, 2, vtableBytes);
            put(vtable + 2, 2, inline);
            for (int id = 0; id <= maxId; id++) put(vtable + 4 + 2 * id, 2, slot[id]);
            put(table, 4, table - vtable);
            for (var e : t.fields.entrySet()) {
                int at = table + slot[e.getKey()];
                if (e.getValue() instanceof long[] s) put(at, (int) s[0], s[1]);
            }
            for (var e : t.fields.entrySet()) {
                int at = table + slot[e.getKey()];
                if (e.getValue() instanceof Node child) put(at, 4, write(child) - at);
            }
            return table;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(bytes, size);
        }
    }

    /** A little-endian byte array grown front to back, with offsets patched once their targets exist. */
    private static final class Flat {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        /** Values written over the zeroed bytes at the end: {position, width, value}. */
        final List<int[]> values = new ArrayList<>();

        int pos() {
            return out.size();
        }

        void align(int to, int extra) {
            while ((pos() + extra) % to != 0) out.write(0);
        }

        int offsetSlot() {
            int at = pos();
            out.writeBytes(new byte[4]);
            return at;
        }

        void bytes(byte[] b) {
            out.writeBytes(b);
        }

        /**
         * A vtable then its table, with the given fields of the given sizes (4-byte slots for
         * offsets and u32, 1 for u8). Returns {table start, field positions…}.
         */
        int[] table(int[] fieldIds, int[] sizes) {
            align(4, 0);
            int maxId = 0;
            for (int id : fieldIds) maxId = Math.max(maxId, id);
            int vtableBytes = 4 + 2 * (maxId + 1);
            int vtable = pos();
            out.writeBytes(new byte[vtableBytes + (vtableBytes % 4 == 0 ? 0 : 2)]);
            int table = pos();
            out.writeBytes(new byte[4]); // soffset to the vtable
            int[] result = new int[fieldIds.length + 1];
            result[0] = table;
            int offset = 4;
            short[] slots = new short[maxId + 1];
            for (int i = 0; i < fieldIds.length; i++) {
                int size = sizes[i];
                while (offset % size != 0) offset++;
                slots[fieldIds[i]] = (short) offset;
                result[i + 1] = table + offset;
                offset += size;
            }
            while (offset % 4 != 0) offset++;
            out.writeBytes(new byte[offset - 4]);
            values.add(new int[] {vtable, 2, vtableBytes});
            values.add(new int[] {vtable + 2, 2, offset});
            for (int id = 0; id <= maxId; id++) values.add(new int[] {vtable + 4 + 2 * id, 2, slots[id]});
            values.add(new int[] {table, 4, table - vtable});
            return result;
        }

        /** A vector header of {@code n} 4-byte elements (zeroed); returns its position. */
        int vector(int n) {
            align(4, 0);
            int at = pos();
            values.add(new int[] {at, 4, n});
            out.writeBytes(new byte[4 + 4 * n]);
            return at;
        }

        int string(String s) {
            align(4, 0);
            int at = pos();
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            values.add(new int[] {at, 4, b.length});
            out.writeBytes(new byte[4]);
            out.writeBytes(b);
            out.write(0);
            return at;
        }

        void patch(int slot, int target) {
            values.add(new int[] {slot, 4, target - slot});
        }

        void putU32(int at, int v) {
            values.add(new int[] {at, 4, v});
        }

        void putU8(int at, int v) {
            values.add(new int[] {at, 1, v});
        }

        byte[] toByteArray() {
            ByteBuffer b = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            for (int[] v : values) {
                switch (v[1]) {
                    case 1 -> b.put(v[0], (byte) v[2]);
                    case 2 -> b.putShort(v[0], (short) v[2]);
                    default -> b.putInt(v[0], v[2]);
                }
            }
            return b.array();
        }
    }
}
