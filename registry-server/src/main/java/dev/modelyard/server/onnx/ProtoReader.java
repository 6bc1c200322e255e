package dev.modelyard.server.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the protocol buffers wire format from a byte array or a file, checking every length
 * against the bytes that remain before allocating anything. A file is read through a small
 * window, so scanning a large model needs memory for its structure only, not for its weights.
 * Every failure is an {@link OnnxFormatException} naming the byte offset and the field.
 */
public final class ProtoReader {

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LEN = 2;
    public static final int FIXED32 = 5;

    /** Deeper nesting than this is refused (subgraphs in subgraphs …). */
    public static final int MAX_DEPTH = 64;

    private static final int WINDOW = 64 * 1024;

    private final FileChannel channel;
    private final byte[] buf;
    private long bufStart;
    private int bufLen;
    private long pos;
    private long limit;
    private final long end;
    private int depth;

    private ProtoReader(FileChannel channel, byte[] buf, int bufLen, long end) {
        this.channel = channel;
        this.buf = buf;
        this.bufLen = bufLen;
        this.end = end;
        this.limit = end;
    }

    public static ProtoReader of(byte[] bytes) {
        return new ProtoReader(null, bytes, bytes.length, bytes.length);
    }

    /** Reads the channel from its start to its current size; the caller keeps it open. */
    public static ProtoReader of(FileChannel channel) throws IOException {
        return new ProtoReader(channel, new byte[WINDOW], 0, channel.size());
    }

    public long position() {
        return pos;
    }

    /** Whether the current message (or the input, at the top) has no more bytes. */
    public boolean atEnd() {
        return pos >= limit;
    }

    /** Reads a field key; returns the field number and sets {@link #wireType()}. */
    public int readTag(String message) throws IOException {
        long at = pos;
        long key = readVarint(message + " field key");
        int wire = (int) (key & 7);
        long field = key >>> 3;
        if (field < 1 || field > 536_870_911) {
            throw new OnnxFormatException("invalid field number " + field + " at byte " + at + " in " + message);
        }
        if (wire != VARINT && wire != FIXED64 && wire != LEN && wire != FIXED32) {
            throw new OnnxFormatException("unsupported wire type " + wire + " for field " + field + " at byte " + at
                    + " in " + message + (wire == 3 || wire == 4 ? " (groups are not used by ONNX)" : ""));
        }
        lastWire = wire;
        lastTagAt = at;
        return (int) field;
    }

    private int lastWire;
    private long lastTagAt;

    public int wireType() {
        return lastWire;
    }

    /** Fails unless the field just read has the given wire type. */
    public void expect(int wire, String field) throws OnnxFormatException {
        if (lastWire != wire) {
            throw new OnnxFormatException(field + " at byte " + lastTagAt + " has wire type " + lastWire + " ("
                    + wireName(lastWire) + "), expected " + wire + " (" + wireName(wire) + ")");
        }
    }

    static String wireName(int wire) {
        return switch (wire) {
            case VARINT -> "varint";
            case FIXED64 -> "64-bit";
            case LEN -> "length-delimited";
            case FIXED32 -> "32-bit";
            default -> "unknown";
        };
    }

    public long readVarint(String field) throws IOException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte(field);
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new OnnxFormatException("malformed varint (more than 10 bytes) at byte " + (pos - 10) + " while reading " + field);
    }

    public int readFixed32(String field) throws IOException {
        need(4, field);
        int v = 0;
        for (int i = 0; i < 4; i++) v |= (readByte(field) & 0xff) << (8 * i);
        return v;
    }

    public long readFixed64(String field) throws IOException {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) v |= (long) (readByte(field) & 0xff) << (8 * i);
        return v;
    }

    /** Reads a scalar field: varint, or a fixed width when that is the wire type. */
    public long readInt64(String field) throws IOException {
        expect(VARINT, field);
        return readVarint(field);
    }

    public int readInt32(String field) throws IOException {
        return (int) readInt64(field);
    }

    public float readFloat(String field) throws IOException {
        expect(FIXED32, field);
        return Float.intBitsToFloat(readFixed32(field));
    }

    /** Reads a length prefix and checks it fits in what remains of the enclosing message. */
    public long readLength(String field) throws IOException {
        expect(LEN, field);
        long at = pos;
        long n = readVarint(field + " length");
        if (n < 0) {
            throw new OnnxFormatException("negative length " + n + " at byte " + at + " for " + field);
        }
        need(n, field);
        return n;
    }

    /** Limits string and bytes fields read with {@link #readBytes}/{@link #readString}; returns this reader. */
    public ProtoReader maxFieldBytes(long max) {
        this.maxFieldBytes = max;
        return this;
    }

    private long maxFieldBytes = Integer.MAX_VALUE - 16;

    /** A string or bytes field, at most {@link #maxFieldBytes(long)} long. */
    public byte[] readBytes(String field) throws IOException {
        long at = pos;
        long n = readLength(field);
        if (n > maxFieldBytes) {
            throw new OnnxFormatException(field + " at byte " + at + " is " + n + " bytes long, more than the "
                    + maxFieldBytes + " bytes accepted for it");
        }
        return copy((int) n, field);
    }

    /** A tensor payload: any length one array can hold. */
    public byte[] readPayload(String field) throws IOException {
        long n = readLength(field);
        if (n > Integer.MAX_VALUE - 16) {
            throw new OnnxFormatException(field + " at byte " + pos + " is " + n + " bytes long, more than one field can hold in memory");
        }
        return copy((int) n, field);
    }

    public String readString(String field) throws IOException {
        byte[] b = readBytes(field);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new OnnxFormatException(field + " ending at byte " + pos + " is not valid UTF-8");
        }
    }

    /** Skips a length-delimited field, returning how many bytes it held. */
    public long skipBytes(String field) throws IOException {
        long n = readLength(field);
        pos += n;
        return n;
    }

    /** Reads a nested message with its own limit; its parser must consume exactly its bytes. */
    public <T> T readMessage(String field, Parser<T> parser) throws IOException {
        long n = readLength(field);
        if (depth >= MAX_DEPTH) {
            throw new OnnxFormatException(field + " at byte " + pos + " is nested more than " + MAX_DEPTH + " messages deep");
        }
        long savedLimit = limit;
        limit = pos + n;
        depth++;
        try {
            T value = parser.parse(this);
            if (pos != limit) {
                throw new OnnxFormatException(field + " ended at byte " + pos + " but its length said byte " + limit);
            }
            return value;
        } finally {
            depth--;
            limit = savedLimit;
        }
    }

    /** Parses one message. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(ProtoReader reader) throws IOException;
    }

    /** Repeated int64/int32 values, packed or one per key, appended to {@code into}. */
    public void readVarints(String field, Values.Longs into) throws IOException {
        if (lastWire == VARINT) {
            into.add(readVarint(field));
            return;
        }
        long n = readLength(field);
        long stop = pos + n;
        while (pos < stop) into.add(readVarint(field));
        if (pos != stop) throw new OnnxFormatException("packed " + field + " overran its length at byte " + pos);
    }

    /** Repeated floats, packed or one per key, appended to {@code into}. */
    public void readFloats(String field, Values.Floats into) throws IOException {
        if (lastWire == FIXED32) {
            into.add(Float.intBitsToFloat(readFixed32(field)));
            return;
        }
        byte[] b = packed(field, 4);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.length / 4; i++) into.add(bb.getFloat(4 * i));
    }

    /** Repeated doubles, packed or one per key, appended to {@code into}. */
    public void readDoubles(String field, Values.Doubles into) throws IOException {
        if (lastWire == FIXED64) {
            into.add(Double.longBitsToDouble(readFixed64(field)));
            return;
        }
        byte[] b = packed(field, 8);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.length / 8; i++) into.add(bb.getDouble(8 * i));
    }

    private byte[] packed(String field, int width) throws IOException {
        byte[] b = readBytes(field);
        if (b.length % width != 0) {
            throw new OnnxFormatException("packed " + field + " ending at byte " + pos + " has " + b.length
                    + " bytes, not a multiple of " + width);
        }
        return b;
    }

    /** Skips the value of the field just read, appending its exact encoding to {@code keep} when not null. */
    public void skipField(int field, ByteArrayOutputStream keep, String message) throws IOException {
        long start = lastTagAt;
        String what = message + " field " + field;
        switch (lastWire) {
            case VARINT -> readVarint(what);
            case FIXED64 -> { need(8, what); pos += 8; }
            case FIXED32 -> { need(4, what); pos += 4; }
            case LEN -> { long n = readLength(what); pos += n; }
            default -> throw new OnnxFormatException("unsupported wire type " + lastWire + " in " + message);
        }
        if (keep != null) {
            long len = pos - start;
            if (len > Integer.MAX_VALUE - 16 - keep.size()) {
                throw new OnnxFormatException("unknown " + what + " at byte " + start + " is too large to keep");
            }
            long saved = pos;
            pos = start;
            keep.writeBytes(copy((int) len, what));
            pos = saved;
        }
    }

    private void need(long n, String field) throws OnnxFormatException {
        if (n > limit - pos) {
            if (limit == end) {
                throw new OnnxFormatException("truncated at byte " + end + " while reading " + field + ": it needs "
                        + n + " bytes from byte " + pos);
            }
            throw new OnnxFormatException(field + " at byte " + pos + " needs " + n
                    + " bytes, past the end of its enclosing message at byte " + limit);
        }
    }

    private int readByte(String field) throws IOException {
        if (pos >= limit) need(1, field);
        if (pos < bufStart || pos >= bufStart + bufLen) fill();
        return buf[(int) (pos++ - bufStart)];
    }

    private void fill() throws IOException {
        if (channel == null) throw new OnnxFormatException("read past the end at byte " + pos);
        bufStart = pos;
        bufLen = 0;
        int want = (int) Math.min(buf.length, end - pos);
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, want);
        while (bb.hasRemaining()) {
            int r = channel.read(bb, bufStart + bb.position());
            if (r < 0) throw new OnnxFormatException("truncated at byte " + (bufStart + bb.position()) + ": the file shrank while being read");
            bufLen = bb.position();
        }
    }

    private byte[] copy(int n, String field) throws IOException {
        need(n, field);
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            if (pos < bufStart || pos >= bufStart + bufLen) {
                if (channel != null && n - done >= buf.length) {
                    ByteBuffer bb = ByteBuffer.wrap(out, done, n - done);
                    while (bb.hasRemaining()) {
                        int r = channel.read(bb, pos + (bb.position() - done));
                        if (r < 0) throw new OnnxFormatException("truncated at byte " + pos + ": the file shrank while being read");
                    }
                    pos += n - done;
                    return out;
                }
                fill();
            }
            int off = (int) (pos - bufStart);
            int k = Math.min(n - done, bufLen - off);
            System.arraycopy(buf, off, out, done, k);
            done += k;
            pos += k;
        }
        return out;
    }
}
