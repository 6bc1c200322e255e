package dev.modelyard.server.delta.encode;

import dev.modelyard.delta.DeltaFormat;
import dev.modelyard.delta.DeltaWriter;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensor-aware encoder, for any model format whose tensors' byte ranges are known. It walks the
 * target in file order: a tensor whose bytes some base tensor has is a COPY of it (wherever it sits,
 * whatever its name or shape); a tensor the base has under the same name with the same element
 * width and length is sent as its XOR with the base's, in byte planes (a fine-tuned weight's sign
 * and exponent bytes cancel out and compress to almost nothing); any other tensor as byte planes.
 * The bytes between tensors (the graph, headers, names) are copied when the base has the same bytes
 * at the same structural place (before the same tensor), else sent as literals.
 *
 * <p>Both files are read with positional reads into two reused blocks of
 * {@link DeltaFormat#MAX_OPERATION_BYTES}, so memory stays the same for a 500 MB model as for a
 * small one; the tensor lists are all it keeps.
 */
final class TensorDelta {

    /** One operation's worth; a multiple of every element width. */
    private static final int BLOCK = DeltaFormat.MAX_OPERATION_BYTES;
    /** How much of a tensor's start and end is compared before its whole content is. */
    private static final int PROBE = 4096;

    private final FileChannel target;
    private final List<TensorRange> targetTensors;
    private final FileChannel base;
    private final long baseSize;
    private final Map<String, TensorRange> baseByName = new HashMap<>();
    private final Map<Long, List<TensorRange>> baseByLength = new HashMap<>();
    /** For each base tensor, where the bytes before it start (the end of the base tensor before it). */
    private final Map<TensorRange, Long> baseGapStart = new HashMap<>();
    /** Where the base's bytes after its last tensor start. */
    private final long baseTrailerStart;
    private final byte[] a = new byte[BLOCK];
    private final byte[] b = new byte[BLOCK];
    private final DeltaWriter out;

    private TensorDelta(FileChannel base, List<TensorRange> baseTensors, FileChannel target,
                        List<TensorRange> targetTensors, DeltaWriter out) throws IOException {
        this.base = base;
        this.baseSize = base == null ? 0 : base.size();
        this.target = target;
        this.targetTensors = targetTensors;
        this.out = out;
        long previousEnd = 0;
        for (TensorRange t : baseTensors) {
            // the first tensor of a name wins, as a model's runtime would take it
            baseByName.putIfAbsent(t.name(), t);
            baseByLength.computeIfAbsent(t.length(), k -> new ArrayList<>()).add(t);
            baseGapStart.put(t, previousEnd);
            previousEnd = t.end();
        }
        baseTrailerStart = previousEnd;
    }

    /** Encodes {@code target} against {@code base}; both tensor lists in file order, non-overlapping. */
    static void encode(FileChannel base, List<TensorRange> baseTensors, FileChannel target, List<TensorRange> targetTensors,
                       DeltaWriter out) throws IOException {
        new TensorDelta(base, baseTensors, target, targetTensors, out).walk();
    }

    /** Encodes {@code target} without a base: tensors in byte planes, the rest as literals. */
    static void planes(FileChannel target, List<TensorRange> targetTensors, DeltaWriter out) throws IOException {
        new TensorDelta(null, List.of(), target, targetTensors, out).walk();
    }

    private void walk() throws IOException {
        long cursor = 0;
        for (TensorRange t : targetTensors) {
            if (t.offset() < cursor || t.length() == 0) continue; // malformed lists never mis-encode: the bytes go as a gap
            TensorRange sameName = base == null ? null : baseByName.get(t.name());
            gap(cursor, t.offset(), sameName == null ? -1 : baseGapStart.get(sameName), sameName == null ? -1 : sameName.offset());
            tensor(t, sameName);
            cursor = t.end();
        }
        gap(cursor, target.size(), base == null ? -1 : baseTrailerStart, baseSize);
    }

    /** Target bytes [from, to) between tensors; the base's bytes at the same structural place are [baseFrom, baseTo), if any. */
    private void gap(long from, long to, long baseFrom, long baseTo) throws IOException {
        boolean comparable = baseFrom >= 0 && baseTo - baseFrom == to - from;
        for (long at = from; at < to; ) {
            int n = (int) Math.min(BLOCK, to - at);
            read(target, at, b, n);
            long baseAt = baseFrom + (at - from);
            if (comparable) {
                read(base, baseAt, a, n);
                if (Arrays.equals(a, 0, n, b, 0, n)) {
                    out.copy(baseAt, n);
                    at += n;
                    continue;
                }
            }
            out.literal(b, 0, n);
            at += n;
        }
    }

    private void tensor(TensorRange t, TensorRange sameName) throws IOException {
        TensorRange identical = base == null ? null : identical(t, sameName);
        if (identical != null) {
            out.copy(identical.offset(), t.length());
        } else if (sameName != null && sameName.width() == t.width() && sameName.length() == t.length()) {
            xorPlanes(t, sameName);
        } else {
            planes(t);
        }
    }

    private void xorPlanes(TensorRange t, TensorRange from) throws IOException {
        for (long done = 0; done < t.length(); ) {
            int n = (int) Math.min(BLOCK, t.length() - done);
            read(base, from.offset() + done, a, n);
            read(target, t.offset() + done, b, n);
            out.xorPlanes(from.offset() + done, a, 0, b, 0, n, t.width());
            done += n;
        }
    }

    private void planes(TensorRange t) throws IOException {
        for (long done = 0; done < t.length(); ) {
            int n = (int) Math.min(BLOCK, t.length() - done);
            read(target, t.offset() + done, b, n);
            out.planes(b, 0, n, t.width());
            done += n;
        }
    }

    /**
     * A base tensor with exactly the target tensor's bytes, the same-named one first. Candidates of
     * the same length are screened by their first and last bytes (one small read each, which rejects
     * a changed tensor at once) and confirmed by comparing every byte, so no two tensors are ever
     * taken for equal on a hash's word; an unchanged tensor is read once on each side.
     */
    private TensorRange identical(TensorRange t, TensorRange sameName) throws IOException {
        List<TensorRange> candidates = baseByLength.getOrDefault(t.length(), List.of());
        if (sameName != null && candidates.contains(sameName) && sameBytes(sameName, t)) return sameName;
        for (TensorRange c : candidates) {
            if (c != sameName && sameBytes(c, t)) return c;
        }
        return null;
    }

    private boolean sameBytes(TensorRange x, TensorRange y) throws IOException {
        long len = y.length();
        int probe = (int) Math.min(PROBE, len);
        if (!equal(x.offset(), y.offset(), probe) || !equal(x.end() - probe, y.end() - probe, probe)) return false;
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(BLOCK, len - done);
            if (!equal(x.offset() + done, y.offset() + done, n)) return false;
            done += n;
        }
        return true;
    }

    private boolean equal(long baseAt, long targetAt, int n) throws IOException {
        read(base, baseAt, a, n);
        read(target, targetAt, b, n);
        return Arrays.equals(a, 0, n, b, 0, n);
    }

    static void read(FileChannel ch, long at, byte[] into, int n) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(into, 0, n);
        while (bb.hasRemaining()) {
            if (ch.read(bb, at + bb.position()) < 0) {
                throw new EOFException("the file ended at byte " + (at + bb.position()) + " while " + n + " bytes from " + at + " were read");
            }
        }
    }
}
