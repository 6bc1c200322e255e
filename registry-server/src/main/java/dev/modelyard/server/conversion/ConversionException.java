package dev.modelyard.server.conversion;

/** A conversion could not be done, or its result was not close enough to its source. */
public class ConversionException extends Exception {

    public ConversionException(String message) {
        super(message);
    }

    public ConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
