package dev.modelyard.delta;

/**
 * The delta file format, version 1: how a file (the <em>target</em>) is rebuilt from another
 * (the <em>base</em>) or from nothing. The same format carries deltas between two versions of a
 * model and compressed full downloads (no base). It knows nothing of model formats: the server's
 * encoders decide which bytes are tensors; a device only replays operations.
 *
 * <pre>
 * file   = header body
 * header = magic "MYDELTA" 0x00 (8 bytes), u16 version (1), u16 flags (bit 0: has a base),
 *          u64 baseSize, 32 bytes base SHA-256 (zeros without a base),
 *          u64 targetSize, 32 bytes target SHA-256,
 *          u8 n, n bytes US-ASCII method name (informational: "onnx-tensors", "cdc", …)
 * body   = one zstd stream of operations, ended by END and nothing after the stream
 * op     = u8 kind, then
 *   END        (0)
 *   COPY       (1) u64 baseOffset, u32 length               target ← base[baseOffset, +length)
 *   LITERAL    (2) u32 length, bytes                        target ← bytes
 *   PLANES     (3) u32 length, u8 width, planes             target ← join(planes, width)
 *   XOR_PLANES (4) u64 baseOffset, u32 length, u8 width, planes
 *                                                           target ← join(planes, width) XOR base[baseOffset, +length)
 * </pre>
 * Integers are big-endian. {@code width} is the element size in bytes (1, 2, 4 or 8) and
 * {@code length} a multiple of it; {@code planes} are {@link BytePlanes#split the element bytes
 * split into planes}: byte 0 of every element, then byte 1, … so that bytes which barely change
 * (a float's sign and exponent) sit together and compress to almost nothing. Every operation's
 * length is at most {@link #MAX_OPERATION_BYTES}, which bounds a reader's memory; the writer cuts
 * longer runs. A reader refuses anything else: an unknown kind or version, a length beyond the
 * bound, a copy outside the base, output beyond the target size, a stream that ends early or
 * has bytes after END, and a result whose size or SHA-256 differs from the header's.
 * An operation's length is never 0 (so a small body cannot expand into endless empty
 * operations). The zstd frame carries its content checksum, and its window is at most
 * 2^{@value #MAX_WINDOW_LOG} bytes: a reader refuses a larger window rather than allocate it.
 */
public final class DeltaFormat {

    /** The format version this code reads and writes. */
    public static final int VERSION = 1;
    /** The magic the file starts with. */
    public static final byte[] MAGIC = {'M', 'Y', 'D', 'E', 'L', 'T', 'A', 0};
    /** The longest operation; a reader holds at most about three times this in memory. */
    public static final int MAX_OPERATION_BYTES = 4 << 20;
    /**
     * The largest zstd window (as a power of two) a writer uses and a reader accepts: 8 MiB, twice
     * an operation, so a device's decoder memory is bounded whatever a delta declares.
     */
    public static final int MAX_WINDOW_LOG = 23;
    /** The suffix of a delta file's name in a DDI chunk and in downloads. */
    public static final String FILE_SUFFIX = ".mydelta";
    /** The media type a delta file is served with. */
    public static final String MEDIA_TYPE = "application/vnd.modelyard.delta";

    static final int FLAG_HAS_BASE = 1;
    static final int END = 0;
    static final int COPY = 1;
    static final int LITERAL = 2;
    static final int PLANES = 3;
    static final int XOR_PLANES = 4;

    private DeltaFormat() {
    }
}
