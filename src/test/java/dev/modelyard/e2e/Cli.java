package dev.modelyard.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged {@code modelyard} command-line tool, run as a process in a working directory. */
final class Cli {

    record Run(int code, String out) {
    }

    /** A run with its standard output (the answer) and standard error (progress, errors) apart. */
    record Split(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private Cli() {
    }

    static Run run(Path dir, String... args) throws Exception {
        List<String> cmd = command(args);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) throw new IllegalStateException("the CLI hung: " + cmd);
        return new Run(p.exitValue(), out);
    }

    /**
     * Runs with {@code env} added to the environment, stderr kept apart (in a file, so neither
     * stream can block the process). {@code timeout} bounds commands that wait, such as a watch.
     */
    static Split run(Path dir, Map<String, String> env, long timeoutSeconds, String... args) throws Exception {
        List<String> cmd = command(args);
        Path err = Files.createTempFile(dir, "cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the CLI did not end within " + timeoutSeconds + " s: " + cmd);
        }
        String errText = Files.readString(err);
        Files.delete(err);
        return new Split(p.exitValue(), out, errText);
    }

    private static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(Jvm.command("-jar", System.getProperty("modelyard.cli.jar")));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
