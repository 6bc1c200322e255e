package dev.modelyard.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The start of a command line that runs one of the packaged jars (server, updater, CLI) as its own
 * Java process, the way every test launches them.
 *
 * <p>These processes only run JIT-compiled with the quick compiler (C1), unless
 * {@code -Dmodelyard.e2e.jvm-options=…} says otherwise (empty for the JVM's defaults). The suite
 * starts the server about fifty times and the CLI and the updater many more, each for seconds to a
 * minute of work: the optimising compiler (C2) spends about half of a server start's CPU time
 * compiling code that is never run long enough to pay back, and on a two-core machine that CPU is
 * taken from the tests. What the processes do is the same either way; only how fast hot loops run
 * differs, and no test measures that.
 */
public final class Jvm {

    /** The options the tests' processes get, before their own (heap, {@code -jar}). */
    static final List<String> OPTIONS = options(System.getProperty("modelyard.e2e.jvm-options", "-XX:TieredStopAtLevel=1"));

    private Jvm() {
    }

    /** {@code java} of the JVM running the tests, with {@link #OPTIONS} and then {@code args}. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(OPTIONS);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static List<String> options(String value) {
        return value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }
}
