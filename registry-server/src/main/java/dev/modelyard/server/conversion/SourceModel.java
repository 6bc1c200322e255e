package dev.modelyard.server.conversion;

import dev.modelyard.server.onnx.Onnx.ModelProto;
import dev.modelyard.server.onnx.Onnx;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The ONNX model a graph-rewriting converter starts from: read, with a graph, and new enough for
 * the operators the rewrite adds. One place, so every converter rejects a bad source with the
 * same words.
 */
final class SourceModel {

    private SourceModel() {
    }

    /** The model in {@code in}; a file that is not a model, or a model without a graph, is a conversion failure. */
    static ModelProto read(Path in) throws ConversionException {
        ModelProto m;
        try {
            m = Onnx.read(in);
        } catch (IOException e) {
            throw new ConversionException("cannot read the model: " + e.getMessage(), e);
        }
        if (m.graph() == null) throw new ConversionException("the model has no graph");
        return m;
    }

    /**
     * Fails unless the model imports ai.onnx at {@code minimum} or later: {@code needs} names the
     * operator (or form of it) that opset brings, for the message.
     */
    static void requireOpset(ModelProto m, long minimum, String converter, String needs) throws ConversionException {
        long opset = m.opset("");
        if (opset < minimum) {
            throw new ConversionException(converter + " needs ai.onnx opset " + minimum + " or later (" + needs + "); the model uses " + opset);
        }
    }
}
