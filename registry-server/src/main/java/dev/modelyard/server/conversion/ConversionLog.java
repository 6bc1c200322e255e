package dev.modelyard.server.conversion;

/** Where a conversion reports what it does, line by line (a job's log). */
@FunctionalInterface
public interface ConversionLog {

    ConversionLog NONE = line -> { };

    void line(String text);
}
