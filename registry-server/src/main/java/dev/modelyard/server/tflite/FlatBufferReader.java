package dev.modelyard.server.tflite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads a flatbuffer in a file, checking every offset against the file before following it, so a
 * hostile file never reads outside itself. Unsigned offsets only point forward, so references
 * cannot form a cycle; vtables, which may sit anywhere, are only read, never followed further.
 * The file is mapped, not loaded: a read costs the same wherever the file points it, so a crafted
 * layout that jumps back and forth costs no more than a plain one, and the callers' counts bound
 * the work. A flatbuffer cannot exceed 2 GiB; larger files keep their extra data after it, which
 * is never read here.
 */
public final class FlatBufferReader {

    private final long size;
    private final ByteBuffer bytes;

    public FlatBufferReader(FileChannel file) throws IOException {
        this.size = file.size();
        this.bytes = file.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE)).order(ByteOrder.LITTLE_ENDIAN);
    }

    public long size() {
        return size;
    }

    /** Checks the 4-byte file identifier; the root table is {@code deref(0)}. */
    public void checkIdentifier(String identifier) throws IOException {
        if (size < 8) throw new TfliteFormatException("the file is " + size + " bytes, too short for a flatbuffer");
        byte[] id = new byte[4];
        for (int i = 0; i < 4; i++) id[i] = (byte) u8(4 + i);
        String found = new String(id, StandardCharsets.ISO_8859_1);
        if (!found.equals(identifier)) {
            throw new TfliteFormatException("the file identifier is '" + printable(found) + "', not " + identifier);
        }
    }

    /** The root table, after checking the 4-byte file identifier. */
    public long root(String identifier) throws IOException {
        checkIdentifier(identifier);
        return deref(0);
    }

    /** The absolute position of a table's field, or 0 when the field is absent. */
    public long field(long table, int index) throws IOException {
        long vtable = table - (int) u32(table);
        int vtableSize = u16(vtable);
        if (vtableSize < 4 || vtableSize % 2 != 0) throw new TfliteFormatException("a table at " + table + " has a bad vtable");
        int slot = 4 + 2 * index;
        if (slot + 2 > vtableSize) return 0;
        int off = u16(vtable + slot);
        if (off == 0) return 0;
        long at = table + off;
        check(at, 1);
        return at;
    }

    /** Follows the unsigned offset stored at {@code at} (to a table, vector or string). */
    public long deref(long at) throws IOException {
        long target = at + u32(at);
        check(target, 4);
        return target;
    }

    /**
     * The vector referenced at {@code fieldAt}, after checking that its {@code width}-byte elements
     * all lie in the file and that it has at most {@code maxEntries}; {@code what} names it in errors.
     */
    public long vector(long fieldAt, int width, long maxEntries, String what) throws IOException {
        long vector = deref(fieldAt);
        long n = u32(vector);
        if (n > maxEntries) throw new TfliteFormatException(what + " has " + n + " entries, more than the " + maxEntries + " allowed");
        if (n * width > size - vector - 4) throw new TfliteFormatException(what + " of " + n + " entries runs past the end of the file");
        return vector;
    }

    public long length(long vector) throws IOException {
        return u32(vector);
    }

    /** Element {@code i} of a vector of tables. */
    public long table(long vector, long i) throws IOException {
        return deref(vector + 4 + 4 * i);
    }

    /** The UTF-8 string referenced at {@code fieldAt}, of at most {@code maxBytes}. */
    public String string(long fieldAt, int maxBytes, String what) throws IOException {
        long s = deref(fieldAt);
        long n = u32(s);
        if (n > maxBytes) throw new TfliteFormatException(what + " is " + n + " bytes long, more than the " + maxBytes + " allowed");
        check(s + 4, n);
        byte[] b = new byte[(int) n];
        for (int i = 0; i < n; i++) b[i] = (byte) u8(s + 4 + i);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new TfliteFormatException(what + " is not UTF-8");
        }
    }

    public void check(long at, long n) throws TfliteFormatException {
        if (at < 0 || n < 0 || at > size || n > size - at) throw new TfliteFormatException("offset " + at + " is outside the file");
    }

    public int u8(long at) throws IOException {
        return bytes.get(mapped(at, 1)) & 0xff;
    }

    public int u16(long at) throws IOException {
        return bytes.getShort(mapped(at, 2)) & 0xffff;
    }

    public int i32(long at) throws IOException {
        return bytes.getInt(mapped(at, 4));
    }

    public long u32(long at) throws IOException {
        return i32(at) & 0xffffffffL;
    }

    public long i64(long at) throws IOException {
        return bytes.getLong(mapped(at, 8));
    }

    /** An unsigned 64-bit value that must fit a file position. */
    public long u64(long at) throws IOException {
        long v = i64(at);
        if (v < 0) throw new TfliteFormatException("a 64-bit offset beyond any file");
        return v;
    }

    /** The position of {@code n} bytes at {@code at} in the mapping, after checking they are in the file and the flatbuffer. */
    private int mapped(long at, int n) throws TfliteFormatException {
        check(at, n);
        if (at + n > bytes.limit()) throw new TfliteFormatException("offset " + at + " is beyond the 2 GiB a flatbuffer can span");
        return (int) at;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        return b.toString();
    }
}
