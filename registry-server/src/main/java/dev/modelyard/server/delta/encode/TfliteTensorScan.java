package dev.modelyard.server.delta.encode;

import dev.modelyard.server.tflite.FlatBufferReader;
import dev.modelyard.server.tflite.TfliteFormatException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the byte ranges of a TensorFlow Lite model's constant data without loading the file: the
 * flatbuffer's {@code Model.buffers[].data} (or, in models over 2 GB, the {@code offset}/{@code size}
 * of data appended after the flatbuffer), each named and typed after the first tensor of any
 * subgraph that uses it, which is how a buffer is recognised in the next version. Every offset is
 * checked against the file before it is followed; a file that is not a readable TFLite model has no map.
 */
final class TfliteTensorScan {

    // schema.fbs field indices
    private static final int MODEL_SUBGRAPHS = 2, MODEL_BUFFERS = 4;
    private static final int SUBGRAPH_TENSORS = 0;
    private static final int TENSOR_SHAPE = 0, TENSOR_TYPE = 1, TENSOR_BUFFER = 2, TENSOR_NAME = 3;
    private static final int BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2;
    /** More entries than this in one vector is not a model but a hostile or broken file. */
    private static final long MAX_ENTRIES = 1 << 22;
    /*
     * What the scan keeps must stay bounded whatever the file says: a flatbuffer may point every
     * tensor's name (and shape) at the same bytes, so the file's size bounds nothing. Real models
     * stay far below these; beyond them the file has no map and the generic encoders take it.
     */
    static final long MAX_TENSORS = 1 << 20;
    static final long MAX_NAME_BYTES = 16 << 20;
    static final long MAX_DIMS = 1 << 22;

    private final FlatBufferReader r;
    private long tensorsSeen;
    private long nameBytesKept;
    private long dimsKept;

    private TfliteTensorScan(FileChannel file) throws IOException {
        this.r = new FlatBufferReader(file);
    }

    /** The buffers' data ranges in file order, or empty when the file is not a TFLite model. */
    static Optional<List<TensorRange>> scan(FileChannel file) throws IOException {
        try {
            return Optional.of(new TfliteTensorScan(file).buffers());
        } catch (TfliteFormatException e) {
            return Optional.empty();
        }
    }

    private record Use(String name, int type, long[] shape) {
    }

    private List<TensorRange> buffers() throws IOException {
        long model = r.root("TFL3");
        Map<Long, Use> uses = new HashMap<>();
        long subgraphs = field(model, MODEL_SUBGRAPHS);
        if (subgraphs != 0) {
            long n = vectorLength(subgraphs);
            for (long s = 0; s < n; s++) tensors(table(subgraphs, s), uses);
        }
        List<TensorRange> ranges = new ArrayList<>();
        long buffers = field(model, MODEL_BUFFERS);
        if (buffers == 0) return ranges;
        long n = vectorLength(buffers);
        for (long b = 0; b < n; b++) {
            long buffer = table(buffers, b);
            long offset, length;
            long dataField = field(buffer, BUFFER_DATA);
            if (dataField != 0) {
                long data = deref(dataField);
                offset = data + 4;
                length = u32(data);
            } else {
                long at = field(buffer, BUFFER_OFFSET), sz = field(buffer, BUFFER_SIZE);
                if (at == 0 || sz == 0) continue;
                // offset 1 marks "no data" in the schema; real appended data starts after the flatbuffer
                offset = u64(at);
                length = u64(sz);
                if (offset <= 1) continue;
            }
            if (length == 0) continue;
            if (offset < 0 || length < 0 || offset > r.size() || length > r.size() - offset) throw new TfliteFormatException("buffer " + b + " outside the file");
            Use use = uses.getOrDefault(b, new Use("buffer" + b, -1, new long[0]));
            int width = width(use.type());
            if (length % width != 0) width = 1;
            ranges.add(new TensorRange(use.name(), use.type(), use.shape(), offset, length, width));
        }
        ranges.sort((x, y) -> Long.compare(x.offset(), y.offset()));
        for (int i = 1; i < ranges.size(); i++) {
            // buffers may share bytes in a crafted file; an encoder needs disjoint ranges
            if (ranges.get(i).offset() < ranges.get(i - 1).end()) throw new TfliteFormatException("overlapping buffers");
        }
        return ranges;
    }

    private void tensors(long subgraph, Map<Long, Use> uses) throws IOException {
        long tensors = field(subgraph, SUBGRAPH_TENSORS);
        if (tensors == 0) return;
        long n = vectorLength(tensors);
        tensorsSeen += n;
        if (tensorsSeen > MAX_TENSORS) throw new TfliteFormatException("more than " + MAX_TENSORS + " tensors");
        for (long i = 0; i < n; i++) {
            long t = table(tensors, i);
            long bufferField = field(t, TENSOR_BUFFER);
            long buffer = bufferField == 0 ? 0 : u32(bufferField);
            if (buffer == 0 || uses.containsKey(buffer)) continue; // buffer 0 is the schema's empty sentinel
            long typeField = field(t, TENSOR_TYPE);
            int type = typeField == 0 ? 0 : u8(typeField);
            long nameField = field(t, TENSOR_NAME);
            String name = nameField == 0 ? "buffer" + buffer : string(nameField);
            long shapeField = field(t, TENSOR_SHAPE);
            long[] shape = new long[0];
            if (shapeField != 0) {
                long rank = vectorLength(shapeField);
                if (rank > 64) throw new TfliteFormatException("tensor of rank " + rank);
                dimsKept += rank;
                if (dimsKept > MAX_DIMS) throw new TfliteFormatException("more than " + MAX_DIMS + " dimensions in all");
                long dims = deref(shapeField);
                shape = new long[(int) rank];
                for (int d = 0; d < rank; d++) shape[d] = (int) u32(dims + 4 + 4L * d);
            }
            uses.put(buffer, new Use(name, type, shape));
        }
    }

    /** Bytes per element of a TensorType; 1 for strings, resources, 4-bit and unknown types. */
    static int width(int type) {
        return switch (type) {
            case 0, 2, 15 -> 4;        // FLOAT32, INT32, UINT32
            case 1, 7, 16, 18 -> 2;    // FLOAT16, INT16, UINT16, BFLOAT16
            case 4, 10, 12 -> 8;       // INT64, FLOAT64, UINT64
            case 8 -> 4;               // COMPLEX64: pairs of float32
            case 11 -> 8;              // COMPLEX128: pairs of float64
            default -> 1;
        };
    }

    // ------------------------------------------------------------------ flatbuffer reading, every offset checked

    private long field(long table, int index) throws IOException {
        return r.field(table, index);
    }

    private long deref(long at) throws IOException {
        return r.deref(at);
    }

    private long vectorLength(long fieldAt) throws IOException {
        return r.length(r.vector(fieldAt, 4, MAX_ENTRIES, "a vector"));
    }

    /** Element {@code i} of a vector of tables whose reference sits at {@code fieldAt}. */
    private long table(long fieldAt, long i) throws IOException {
        return r.table(r.deref(fieldAt), i);
    }

    private String string(long fieldAt) throws IOException {
        String name = r.string(fieldAt, 1 << 16, "a name");
        nameBytesKept += name.length();
        if (nameBytesKept > MAX_NAME_BYTES) throw new TfliteFormatException("more than " + MAX_NAME_BYTES + " bytes of names");
        return name;
    }

    private int u8(long at) throws IOException {
        return r.u8(at);
    }

    private long u32(long at) throws IOException {
        return r.u32(at);
    }

    private long u64(long at) throws IOException {
        return r.u64(at);
    }
}
