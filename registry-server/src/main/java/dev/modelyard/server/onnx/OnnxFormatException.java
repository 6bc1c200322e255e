package dev.modelyard.server.onnx;

import java.io.IOException;

/** The bytes are not a well-formed ONNX model; the message says where and why. */
public class OnnxFormatException extends IOException {

    public OnnxFormatException(String message) {
        super(message);
    }
}
