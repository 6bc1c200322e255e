package dev.modelyard.server.delta.encode;

/**
 * Where one tensor's values sit in a model file: {@code length} bytes from {@code offset}, elements
 * of {@code width} bytes (1 when the type has no fixed width, or the length is not a multiple of it).
 *
 * @param name     the tensor's name in the model ("" when it has none)
 * @param dataType the format's element type number (ONNX TensorProto.DataType, TFLite TensorType)
 * @param dims     its shape
 */
public record TensorRange(String name, int dataType, long[] dims, long offset, long length, int width) {

    public long end() {
        return offset + length;
    }
}
