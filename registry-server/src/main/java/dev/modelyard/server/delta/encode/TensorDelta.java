package dev.modelyard.server.delta.encode;

import dev.modelyard.delta.DeltaFormat;
import dev.modelyard.delta.DeltaWriter;
import dev.modelyard.delta.FileBytes;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensor-aware encoder, for any model format whose tensors' byte ranges are known. It walks the
 * target in file order: a tensor whose bytes some base tensor has is a COPY of it (wherever it sits,
 * whatever its name or shape); a tensor the base has under the same name with the same element
 * width and length is sent as its XOR with the base's, in byte planes (a fine-tuned weight's sign
 * and exponent bytes cancel out and compress to almost nothing), and so is the common part of one
 * that grew or shrank but kept its start (rows appended to an embedding); any other tensor goes
 * as byte planes.
 * The bytes between tensors (the graph, headers, names) are copied when the base has the same bytes
 * at the same structural place (before the same tensor), else sent as literals.
 *
 * <p>Both files are read with positional reads into two reused blocks of
 * {@link DeltaFormat#MAX_OPERATION_BYTES}, so memory stays the same for a 500 MB model as for a
 * small one; the tensor lists and one digest per base tensor are all it keeps.
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
    /**
     * Base tensors by content, the first of each content kept: only those of a length some target
     * tensor has, each digested once when the encoder starts. A target tensor is then looked up by
     * its own digest, so finding a copy costs one read of each side, never a comparison per pair.
     */
    private final Map<Content, TensorRange> baseByContent = new HashMap<>();
    private final Map<TensorRange, Content> baseContent = new IdentityHashMap<>();
    private final Set<Long> digestedLengths = new HashSet<>();
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
        Set<Long> targetLengths = new HashSet<>();
        for (TensorRange t : targetTensors) targetLengths.add(t.length());
        long previousEnd = 0;
        for (TensorRange t : baseTensors) {
            // the first tensor of a name wins, as a model's runtime would take it
            baseByName.putIfAbsent(t.name(), t);
            if (t.length() > 0 && targetLengths.contains(t.length())) {
                Content content = content(base, t, a);
                baseContent.put(t, content);
                baseByContent.putIfAbsent(content, t);
                digestedLengths.add(t.length());
            }
            baseGapStart.put(t, previousEnd);
            previousEnd = t.end();
        }
        baseTrailerStart = previousEnd;
    }

    /** A tensor's length and SHA-256: what finds a copy candidate, never what proves one. */
    private record Content(long length, String sha256) {
    }

    private static Content content(FileChannel file, TensorRange t, byte[] block) throws IOException {
        MessageDigest sha256 = FileBytes.sha256();
        for (long done = 0; done < t.length(); ) {
            int n = (int) Math.min(block.length, t.length() - done);
            read(file, t.offset() + done, block, n);
            sha256.update(block, 0, n);
            done += n;
        }
        return new Content(t.length(), HexFormat.of().formatHex(sha256.digest()));
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
            xorPlanes(t, sameName, t.length());
        } else if (sameName != null && sameName.width() == t.width() && grownOrCut(sameName, t)) {
            long common = Math.min(sameName.length(), t.length());
            xorPlanes(t, sameName, common);
            planes(t, common);
        } else {
            planes(t, 0);
        }
    }

    /**
     * Whether a same-named tensor of another length kept its start, as an embedding does when
     * rows are appended or dropped: then its common part is sent against the base. A tensor whose
     * values were all redrawn for its new shape does not, and goes as planes: the XOR of unrelated
     * values would cost more than the values.
     */
    private boolean grownOrCut(TensorRange from, TensorRange t) throws IOException {
        int probe = (int) Math.min(PROBE, Math.min(from.length(), t.length()));
        return probe > 0 && equal(from.offset(), t.offset(), probe);
    }

    /** The first {@code length} bytes of {@code t} as their XOR with {@code from}'s, in planes. */
    private void xorPlanes(TensorRange t, TensorRange from, long length) throws IOException {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(BLOCK, length - done);
            read(base, from.offset() + done, a, n);
            read(target, t.offset() + done, b, n);
            out.xorPlanes(from.offset() + done, a, 0, b, 0, n, t.width());
            done += n;
        }
    }

    /** The bytes of {@code t} from {@code from} on, in planes. */
    private void planes(TensorRange t, long from) throws IOException {
        for (long done = from; done < t.length(); ) {
            int n = (int) Math.min(BLOCK, t.length() - done);
            read(target, t.offset() + done, b, n);
            out.planes(b, 0, n, t.width());
            done += n;
        }
    }

    /**
     * A base tensor with exactly the target tensor's bytes, the same-named one first. The one
     * candidate the digest names is confirmed by comparing every byte, so no two tensors are ever
     * taken for equal on a hash's word. However many base tensors share a length or a prefix, a
     * target tensor costs at most one digest pass and one comparison with one base tensor.
     */
    private TensorRange identical(TensorRange t, TensorRange sameName) throws IOException {
        if (!digestedLengths.contains(t.length())) return null;
        Content content = content(target, t, b);
        TensorRange candidate = sameName != null && content.equals(baseContent.get(sameName)) ? sameName : baseByContent.get(content);
        return candidate != null && sameBytes(candidate, t) ? candidate : null;
    }

    private boolean sameBytes(TensorRange x, TensorRange y) throws IOException {
        long len = y.length();
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
        int read = FileBytes.read(ch, at, into, 0, n);
        if (read < n) {
            throw new EOFException("the file ended at byte " + (at + read) + " while " + n + " bytes from " + at + " were read");
        }
    }
}
