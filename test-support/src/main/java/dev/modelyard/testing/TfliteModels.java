package dev.modelyard.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * TensorFlow Lite files written field by field from {@code schema.fbs} (no flatbuffers library):
 * a {@code Model} (version 3, identifier {@code TFL3}) with one subgraph whose tensors each own a
 * constant buffer, enough for tools that look at a model's weights (deltas). There are no
 * operators: such a file is for byte-level tests, not for an interpreter.
 */
public final class TfliteModels {

    /** TensorType values of the schema. */
    public static final int FLOAT32 = 0, FLOAT16 = 1, INT32 = 2, UINT8 = 3, INT64 = 4, INT8 = 9;

    /** A constant tensor: its name, TensorType, shape and little-endian data. */
    public record Tensor(String name, int type, int[] shape, byte[] data) {
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
