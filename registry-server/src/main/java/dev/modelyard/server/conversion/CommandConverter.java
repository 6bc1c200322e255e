package dev.modelyard.server.conversion;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An external program as a conversion step. It runs without a shell, in a directory of its own
 * with a minimal environment; {@code {input}}, {@code {output}} and {@code {param:name}} in its
 * arguments are replaced by the input and output paths and the step's parameters. Its output goes
 * to the log (up to a limit); when it runs too long, or the job is stopped, the process and every
 * process it started are killed.
 */
public final class CommandConverter implements Converter {

    public static final Pattern PLACEHOLDER = Pattern.compile("\\{(input|output|param:([A-Za-z0-9_.-]+))}");
    private static final int STDERR_TAIL = 10;
    private static final Duration DRAIN = Duration.ofSeconds(2);

    private final List<String> command;
    private final Map<String, String> params;
    private final Duration timeout;
    private final String outputFormat;
    private final Path workDir;
    private final ConversionLog log;
    private final long outputLimit;

    /**
     * @param workDir     the process's working directory, HOME and TMPDIR; the caller removes it
     * @param outputLimit bytes of stdout and stderr kept in the log
     */
    public CommandConverter(List<String> command, Map<String, String> params, Duration timeout, String outputFormat,
                            Path workDir, ConversionLog log, long outputLimit) {
        this.command = List.copyOf(command);
        this.params = Map.copyOf(params);
        this.timeout = timeout;
        this.outputFormat = outputFormat;
        this.workDir = workDir;
        this.log = log;
        this.outputLimit = outputLimit;
    }

    @Override
    public String name() {
        return "command:" + Path.of(command.get(0)).getFileName();
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("command", command);
        p.put("params", new java.util.TreeMap<>(params));
        p.put("timeoutSeconds", timeout.toSeconds());
        p.put("outputFormat", outputFormat);
        return p;
    }

    /** Unknown: whatever the program writes. */
    @Override
    public boolean portable() {
        return false;
    }

    /** The argument list with placeholders replaced. */
    public List<String> arguments(Path in, Path out) {
        List<String> argv = new ArrayList<>();
        for (String arg : command) {
            Matcher m = PLACEHOLDER.matcher(arg);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                String value = switch (m.group(1)) {
                    case "input" -> in.toString();
                    case "output" -> out.toString();
                    default -> params.get(m.group(2));
                };
                if (value == null) throw new IllegalArgumentException("no parameter '" + m.group(2) + "'");
                m.appendReplacement(b, Matcher.quoteReplacement(value));
            }
            m.appendTail(b);
            argv.add(b.toString());
        }
        return argv;
    }

    @Override
    public void convert(Path in, Path out) throws ConversionException {
        List<String> argv = arguments(in, out);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile());
        // Nothing of the server's environment (credentials, tokens) reaches the program.
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", workDir.toString());
        env.put("TMPDIR", workDir.toString());
        env.put("LANG", "C.UTF-8");
        pb.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        log.line("$ " + String.join(" ", argv));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ConversionException(name() + " could not be started: " + e.getMessage(), e);
        }
        AtomicLong budget = new AtomicLong(outputLimit);
        Deque<String> stderrTail = new ArrayDeque<>();
        Thread out1 = pump(p.getInputStream(), "stdout", budget, null);
        Thread err1 = pump(p.getErrorStream(), "stderr", budget, stderrTail);
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(p);
            Thread.currentThread().interrupt();
            throw new ConversionException(name() + " was stopped and killed");
        }
        if (!finished) {
            killTree(p);
            join(out1, err1);
            throw new ConversionException(name() + " timed out after " + timeout.toSeconds() + " s and was killed");
        }
        // A program may leave children behind holding the pipes; they must not outlive the step.
        // The process itself has exited: destroying it would close its pipes under the readers
        // and lose what it wrote last.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        join(out1, err1);
        int exit = p.exitValue();
        if (exit != 0) {
            String tail;
            synchronized (stderrTail) {
                tail = String.join("\n", stderrTail);
            }
            throw new ConversionException(name() + " exited with code " + exit
                    + (tail.isEmpty() ? " and wrote nothing to stderr" : "; last stderr lines:\n" + tail));
        }
    }

    private Thread pump(InputStream stream, String label, AtomicLong budget, Deque<String> tail) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (tail != null) {
                        synchronized (tail) {
                            if (tail.size() == STDERR_TAIL) tail.removeFirst();
                            tail.addLast(line.length() > 500 ? line.substring(0, 500) + "…" : line);
                        }
                    }
                    long left = budget.addAndGet(-(line.length() + 1L));
                    if (left >= 0) {
                        log.line(label + ": " + line);
                    } else if (left + line.length() + 1 >= 0) {
                        log.line(label + ": … output beyond " + outputLimit + " bytes dropped");
                    }
                }
            } catch (IOException ignored) {
                // the process was killed; what it wrote so far is logged
            }
        }, "conversion-" + label);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void killTree(Process p) {
        // Collected first: once the parent is gone its children are no longer its descendants.
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread... threads) {
        for (Thread t : threads) {
            try {
                t.join(DRAIN.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
