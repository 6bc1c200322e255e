package dev.modelyard.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged jar run as an operating-system process with this JVM's {@code java}, its output
 * appended to a log file. Stopping it is SIGTERM, so it shuts down cleanly; only one that does
 * not stop in time is killed.
 */
final class Child {

    private static final long STOP_SECONDS = 30;
    private static final java.util.regex.Pattern STACK_FRAME = java.util.regex.Pattern.compile("^\\s+(at |\\.\\.\\. \\d+ more)");

    private final String name;
    private final Path log;
    private final Process process;

    private Child(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static Child start(String name, Path jar, List<String> args, String heap, Path directory, Map<String, String> env, Path log)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-jar", jar.toAbsolutePath().toString()));
        command.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return new Child(name, log, builder.start());
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Fails with the exit code when the process has ended, which it never should while the demo runs. */
    void requireAlive() throws DemoFailure {
        if (!process.isAlive()) throw new DemoFailure("the " + name + " exited with code " + process.exitValue());
    }

    /** Waits for the process to end (the demo's main thread, after its story, until Ctrl-C). */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /**
     * Stops the process cleanly (it stops what it started, e.g. an embedded database, itself);
     * kills it if it has not ended within 30 s, then any child it left behind.
     */
    synchronized void stop() {
        if (!process.isAlive()) return;
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * The last {@code lines} lines of the log, for a failure report; stack frames are left out,
     * so the lines that say what went wrong are not pushed out by them.
     */
    List<String> tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(l -> !STACK_FRAME.matcher(l).find()).toList();
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(" + log + " cannot be read: " + e.getMessage() + ")");
        }
    }
}
