package dev.modelyard.server.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the protocol buffers wire format. Nested messages' lengths come from one counting pass
 * (remembered per message) before a message is written, so nothing is buffered: writing a model
 * needs no second copy of its weights.
 */
public final class ProtoWriter {

    private final OutputStream out;
    private long count;
    /** Encoded sizes of nested messages, filled by one counting pass per top-level message. */
    private final Map<Message, Long> sizes;

    private ProtoWriter(OutputStream out, Map<Message, Long> sizes) {
        this.out = out;
        this.sizes = sizes;
    }

    public static ProtoWriter to(OutputStream out) {
        return new ProtoWriter(out, new IdentityHashMap<>());
    }

    /** A message that can write itself. */
    public interface Message {
        void writeTo(ProtoWriter w);
    }

    /** The encoded size of a message, without writing it. */
    public static long sizeOf(Message m) {
        ProtoWriter counter = new ProtoWriter(null, new IdentityHashMap<>());
        m.writeTo(counter);
        return counter.count;
    }

    public long written() {
        return count;
    }

    private void raw(int b) {
        count++;
        if (out != null) {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public void raw(byte[] b) {
        if (b == null || b.length == 0) return;
        count += b.length;
        if (out != null) {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void tag(int field, int wire) {
        varint(((long) field << 3) | wire);
    }

    private void varint(long v) {
        while ((v & ~0x7fL) != 0) {
            raw((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        raw((int) v);
    }

    private void fixed32(int v) {
        for (int i = 0; i < 4; i++) raw((v >>> (8 * i)) & 0xff);
    }

    private void fixed64(long v) {
        for (int i = 0; i < 8; i++) raw((int) ((v >>> (8 * i)) & 0xff));
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    public void int64(int field, long v) {
        tag(field, ProtoReader.VARINT);
        varint(v);
    }

    /** int32 values are sign-extended to 64 bits on the wire, as protobuf does. */
    public void int32(int field, int v) {
        int64(field, v);
    }

    public void float32(int field, float v) {
        tag(field, ProtoReader.FIXED32);
        fixed32(Float.floatToRawIntBits(v));
    }

    public void bytes(int field, byte[] b) {
        tag(field, ProtoReader.LEN);
        varint(b.length);
        raw(b);
    }

    public void string(int field, String s) {
        if (s != null) bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    public void strings(int field, List<String> values) {
        for (String s : values) bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    public void message(int field, Message m) {
        if (m == null) return;
        tag(field, ProtoReader.LEN);
        if (out == null) {
            long start = count;
            m.writeTo(this);
            long size = count - start;
            sizes.put(m, size);
            count += varintSize(size);
            return;
        }
        Long size = sizes.get(m);
        if (size == null) {
            ProtoWriter counter = new ProtoWriter(null, sizes);
            m.writeTo(counter);
            size = counter.count;
        }
        varint(size);
        m.writeTo(this);
    }

    public void messages(int field, List<? extends Message> ms) {
        for (Message m : ms) message(field, m);
    }

    public void packedVarints(int field, long[] values) {
        if (values.length == 0) return;
        long size = 0;
        for (long v : values) size += varintSize(v);
        tag(field, ProtoReader.LEN);
        varint(size);
        for (long v : values) varint(v);
    }

    public void packedInt32s(int field, int[] values) {
        if (values.length == 0) return;
        long size = 0;
        for (int v : values) size += varintSize(v);
        tag(field, ProtoReader.LEN);
        varint(size);
        for (int v : values) varint(v);
    }

    public void packedFloats(int field, float[] values) {
        if (values.length == 0) return;
        tag(field, ProtoReader.LEN);
        varint(4L * values.length);
        if (out == null) {
            count += 4L * values.length;
            return;
        }
        byte[] chunk = new byte[4 * Math.min(values.length, 16384)];
        for (int i = 0; i < values.length; ) {
            int k = Math.min(values.length - i, chunk.length / 4);
            for (int j = 0; j < k; j++) {
                int bits = Float.floatToRawIntBits(values[i + j]);
                chunk[4 * j] = (byte) bits;
                chunk[4 * j + 1] = (byte) (bits >>> 8);
                chunk[4 * j + 2] = (byte) (bits >>> 16);
                chunk[4 * j + 3] = (byte) (bits >>> 24);
            }
            raw(k == chunk.length / 4 ? chunk : java.util.Arrays.copyOf(chunk, 4 * k));
            i += k;
        }
    }

    public void packedDoubles(int field, double[] values) {
        if (values.length == 0) return;
        tag(field, ProtoReader.LEN);
        varint(8L * values.length);
        for (double v : values) fixed64(Double.doubleToRawLongBits(v));
    }
}
