package dev.modelyard.server.tflite;

import java.io.IOException;

/** The bytes are not a well-formed TensorFlow Lite model; the message says where and why. */
public class TfliteFormatException extends IOException {

    public TfliteFormatException(String message) {
        super(message, null);
    }
}
