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

    private OnnxTensorScan() {
    }

    /** The initializers' ranges in file order, or empty when the file does not parse as an ONNX model with a graph. */
    static Optional<List<TensorRange>> scan(FileChannel file) throws IOException {
        List<TensorRange> tensors = new ArrayList<>();
        boolean graph = false;
        try {
            ProtoReader r = ProtoReader.of(file).maxFieldBytes(MAX_NAME_BYTES);
            if (r.atEnd()) return Optional.empty();
            while (!r.atEnd()) {
                int f = r.readTag("ModelProto");
                if (f == MODEL_GRAPH && r.wireType() == ProtoReader.LEN) {
                    r.readMessage("ModelProto.graph", g -> graph(g, tensors));
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

    private static Void graph(ProtoReader r, List<TensorRange> into) throws IOException {
        while (!r.atEnd()) {
            int f = r.readTag("GraphProto");
            if (f == GRAPH_INITIALIZER && r.wireType() == ProtoReader.LEN) {
                TensorRange t = r.readMessage("GraphProto.initializer", OnnxTensorScan::tensor);
                if (t != null) into.add(t);
            } else {
                r.skipField(f, null, "GraphProto");
            }
        }
        return null;
    }

    /** One TensorProto; null when it holds no payload range (values as varints, strings, external data). */
    private static TensorRange tensor(ProtoReader r) throws IOException {
        Values.Longs dims = new Values.Longs();
        int type = 0;
        String name = "";
        long offset = -1, length = 0;
        int fieldWidth = 0;
        while (!r.atEnd()) {
            int f = r.readTag("TensorProto");
            int wire = r.wireType();
            if (f == DIMS) {
                r.readVarints("TensorProto.dims", dims);
            } else if (f == DATA_TYPE && wire == ProtoReader.VARINT) {
                type = r.readInt32("TensorProto.data_type");
            } else if (f == NAME && wire == ProtoReader.LEN) {
                name = r.readString("TensorProto.name");
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
        if (offset < 0) return null;
        int width = fieldWidth != 0 ? fieldWidth : width(type);
        if (length % width != 0) width = 1;
        return new TensorRange(name, type, dims.toArray(), offset, length, width);
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
