package dev.modelyard.demo;

import java.io.PrintStream;
import java.time.Duration;

/** Prints what the demo does, each line with the time since the demo started: {@code [12s] …}. */
final class Narrator {

    private final PrintStream out;
    private final long started = System.nanoTime();

    Narrator(PrintStream out) {
        this.out = out;
    }

    void say(String line) {
        out.printf("[%ds] %s%n", elapsed().toSeconds(), line);
        out.flush();
    }

    /** A line without a time stamp: details of the step above, or the closing summary. */
    void detail(String line) {
        out.println(line);
        out.flush();
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
