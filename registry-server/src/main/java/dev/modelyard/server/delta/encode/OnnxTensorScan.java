package dev.modelyard.server.delta.encode;

import dev.modelyard.server.onnx.Onnx.DataType;
import dev.modelyard.server.onnx.OnnxFormatException;
import dev.modelyard.server.onnx.ProtoReader;
import dev.modelyard.server.onnx.Values;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the byte ranges of an ONNX model's initializers without loading the file: one positional
 * pass over {@code ModelProto.graph.initializer} (TensorProto) that records name, type, dims and
 * where {@code raw_data} (or packed {@code float_data}/{@code double_data}) lies, and skips every
 * payload. Everything else — nodes, sparse initializers, constants inside nodes, metadata — is
 * left to the encoder as plain bytes. Memory follows the number of tensors, not their size.
 */
final class OnnxTensorScan {

    /** Longest tensor name read; longer ones make the file "not a model we map" rather than a risk. */
    private static final long MAX_NAME_BYTES = 1 << 16;
    private static final int MODEL_GRAPH = 7, GRAPH_INITIALIZER = 5;
    private static final int DIMS = 1, DATA_TYPE = 2, FLOAT_DATA = 4, NAME = 8, RAW_DATA = 9, DOUBLE_DATA = 10;

    /*
     * What the scan keeps must stay bounded by more than the file's size: an uploaded model may be
     * gigabytes of tiny initializers or of one tensor's dims. Real models stay far below these;
     * beyond them the file has no map and the generic encoders take it.
     */
    static final int MAX_TENSORS = 1 << 20;
    static final int MAX_RANK = 64;
    static final long MAX_DIMS = 1 << 22;
    static final long MAX_TOTAL_NAME_BYTES = 16 << 20;
    /** A packed dims field of more bytes holds more than {@link #MAX_RANK} varints' worth. */
    private static final long MAX_PACKED_DIMS_BYTES = MAX_RANK * 10L;

    /** What one scan has kept so far, against the caps. */
    private static final class Budget {
        private long tensors, dims, nameBytes;

        void tensor() throws OnnxFormatException {
            if (++tensors > MAX_TENSORS) throw new OnnxFormatException("more than " + MAX_TENSORS + " initializers");
        }

        void dims(int rank) throws OnnxFormatException {
            if (rank > MAX_RANK) throw new OnnxFormatException("a tensor of rank " + rank);
            dims += rank;
            if (dims > MAX_DIMS) throw new OnnxFormatException("more than " + MAX_DIMS + " dimensions in all");
        }

        void name(String name) throws OnnxFormatException {
            nameBytes += name.length();
            if (nameBytes > MAX_TOTAL_NAME_BYTES) throw new OnnxFormatException("more than " + MAX_TOTAL_NAME_BYTES + " bytes of names");
        }
    }

    private OnnxTensorScan() {
    }

    /** The initializers' ranges in file order, or empty when the file does not parse as an ONNX model with a graph. */
    static Optional<List<TensorRange>> scan(FileChannel file) throws IOException {
        List<TensorRange> tensors = new ArrayList<>();
        boolean graph = false;
        Budget budget = new Budget();
        try {
            ProtoReader r = ProtoReader.of(file).maxFieldBytes(MAX_NAME_BYTES);
            if (r.atEnd()) return Optional.empty();
            while (!r.atEnd()) {
                int f = r.readTag("ModelProto");
                if (f == MODEL_GRAPH && r.wireType() == ProtoReader.LEN) {
                    r.readMessage("ModelProto.graph", g -> graph(g, tensors, budget));
                    graph = true;
                } else {
                    r.skipField(f, null, "ModelProto");
                }
            }
        } catch (OnnxFormatException e) {
            // not parseable: the generic encoders take the file as bytes
            return Optional.empty();
        }
        if (!graph) return Optional.empty();
        tensors.sort((a, b) -> Long.compare(a.offset(), b.offset()));
        return Optional.of(List.copyOf(tensors));
    }

    private static Void graph(ProtoReader r, List<TensorRange> into, Budget budget) throws IOException {
        while (!r.atEnd()) {
            int f = r.readTag("GraphProto");
            if (f == GRAPH_INITIALIZER && r.wireType() == ProtoReader.LEN) {
                budget.tensor();
                TensorRange t = r.readMessage("GraphProto.initializer", tensor -> tensor(tensor, budget));
                if (t != null) into.add(t);
            } else {
                r.skipField(f, null, "GraphProto");
            }
        }
        return null;
    }

    /** One TensorProto; null when it holds no payload range (values as varints, strings, external data). */
    private static TensorRange tensor(ProtoReader r, Budget budget) throws IOException {
        Values.Longs dims = new Values.Longs();
        int rank = 0;
        int type = 0;
        String name = "";
        long offset = -1, length = 0;
        int fieldWidth = 0;
        while (!r.atEnd()) {
            int f = r.readTag("TensorProto");
            int wire = r.wireType();
            if (f == DIMS) {
                rank += dims(r, dims);
                if (rank > MAX_RANK) throw new OnnxFormatException("a tensor of rank over " + MAX_RANK);
            } else if (f == DATA_TYPE && wire == ProtoReader.VARINT) {
                type = r.readInt32("TensorProto.data_type");
            } else if (f == NAME && wire == ProtoReader.LEN) {
                name = r.readString("TensorProto.name");
                budget.name(name);
            } else if ((f == RAW_DATA || f == FLOAT_DATA || f == DOUBLE_DATA) && wire == ProtoReader.LEN) {
                long n = r.skipBytes("TensorProto field " + f);
                if (n > length) {
                    // a tensor has one payload; should a writer repeat the field, the largest is worth encoding
                    offset = r.position() - n;
                    length = n;
                    fieldWidth = f == FLOAT_DATA ? 4 : f == DOUBLE_DATA ? 8 : 0;
                }
            } else {
                r.skipField(f, null, "TensorProto");
            }
        }
        budget.dims(rank);
        if (offset < 0) return null;
        int width = fieldWidth != 0 ? fieldWidth : width(type);
        if (length % width != 0) width = 1;
        return new TensorRange(name, type, dims.toArray(), offset, length, width);
    }

    /** Dims, packed or one per key, appended to {@code into}; how many. A packed field too long for {@link #MAX_RANK} dims is refused before it is read. */
    private static int dims(ProtoReader r, Values.Longs into) throws IOException {
        int added = 0;
        if (r.wireType() == ProtoReader.LEN) {
            long n = r.readLength("TensorProto.dims");
            if (n > MAX_PACKED_DIMS_BYTES) throw new OnnxFormatException("packed dims of " + n + " bytes");
            long stop = r.position() + n;
            for (; r.position() < stop; added++) into.add(r.readVarint("TensorProto.dims"));
            if (r.position() != stop) throw new OnnxFormatException("packed TensorProto.dims overran its length");
        } else {
            r.readVarints("TensorProto.dims", into);
            added = 1;
        }
        return added;
    }

    /** Bytes per element of a raw_data payload; 1 for types whose bytes do not form fixed-width numbers. */
    static int width(int dataType) {
        return switch (dataType) {
            case DataType.FLOAT, DataType.INT32, DataType.UINT32 -> 4;
            case DataType.FLOAT16, DataType.BFLOAT16, DataType.INT16, DataType.UINT16 -> 2;
            case DataType.INT64, DataType.UINT64, DataType.DOUBLE -> 8;
            // COMPLEX64/128 are pairs of float/double: their planes are the component's
            case DataType.COMPLEX64 -> 4;
            case DataType.COMPLEX128 -> 8;
            default -> 1;
        };
    }
}
