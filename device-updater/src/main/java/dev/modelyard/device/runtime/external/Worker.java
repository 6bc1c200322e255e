package dev.modelyard.device.runtime.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * One worker process and the conversation with it. Requests carry ids and may be pipelined: any
 * thread writes its request (writes are serialized) and waits for the answer with its id, which a
 * reader thread hands over. The worker may answer in any order. When the worker exits, breaks the
 * protocol or misses a deadline, every waiting request fails with {@link WorkerGone} and the
 * process is killed and reaped; a worker is never restarted in place (its model starts a new one).
 */
final class Worker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Worker.class.getName());
    static final int PROTOCOL = 1;
    /** How long a polite shutdown may take before the process is killed. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    /** Longer stderr lines are cut: the log is for people, and a runaway worker must not fill the heap. */
    private static final int MAX_LOG_LINE = 4096;

    /** What the worker says first: the protocol version, its runtime, version and backends. */
    record Hello(int protocol, String runtime, String version, List<String> backends, int maxFrameBytes) {
    }

    private final ExternalRuntimeSettings settings;
    private final Process process;
    private final OutputStream stdin;
    private final Object writeLock = new Object();
    private final Map<Long, CompletableFuture<Frame>> waiting = new ConcurrentHashMap<>();
    private final CompletableFuture<Hello> hello = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile String death;

    private Worker(ExternalRuntimeSettings settings, Process process) {
        this.settings = settings;
        this.process = process;
        this.stdin = process.getOutputStream();
    }

    /** Starts the worker and waits for its hello; a worker that does not say it in time is killed. */
    static Worker start(ExternalRuntimeSettings settings) throws WorkerGone {
        Process process;
        try {
            process = new ProcessBuilder(settings.command()).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.PIPE).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new WorkerGone("cannot start the " + settings.runtime() + " worker (" + String.join(" ", settings.command())
                    + "): " + e.getMessage() + "; check external." + settings.runtime() + ".command", e);
        }
        Worker w = new Worker(settings, process);
        w.daemon("stderr", () -> w.copyLog(process.getErrorStream()));
        w.daemon("reader", w::readFrames);
        try {
            Hello h = w.hello.get(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (h.protocol() != PROTOCOL) {
                w.kill("the worker speaks protocol " + h.protocol() + ", the updater speaks " + PROTOCOL);
                throw new WorkerGone(w.death, null);
            }
            if (!h.runtime().equals(settings.runtime())) {
                w.kill("the worker configured as " + settings.runtime() + " says it is " + h.runtime());
                throw new WorkerGone(w.death, null);
            }
            LOG.info(() -> settings.runtime() + " worker " + process.pid() + " started: version " + h.version()
                    + ", backends " + h.backends());
            return w;
        } catch (TimeoutException e) {
            w.kill("the " + settings.runtime() + " worker did not say hello within " + settings.startTimeout()
                    + " (external." + settings.runtime() + ".start.timeout)");
            throw new WorkerGone(w.death, e);
        } catch (ExecutionException e) {
            throw new WorkerGone(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            w.kill("interrupted while starting");
            throw new WorkerGone(w.death, e);
        }
    }

    Hello hello() {
        return hello.join();
    }

    long pid() {
        return process.pid();
    }

    /** Why the worker is gone, or null while it runs. */
    String death() {
        return death != null ? death : process.isAlive() ? null : "the " + settings.runtime() + " worker exited";
    }

    boolean alive() {
        return death == null && process.isAlive();
    }

    /**
     * Sends a request and waits up to {@code timeout} for its answer, counted from when the request
     * is written. The request gets the next id.
     *
     * @throws WorkerError when the worker answers with an error frame
     * @throws Frame.FrameTooLargeException when the request exceeds the frame limit (nothing was sent; the worker is fine)
     * @throws WorkerGone when the worker is gone or missed the deadline (it is killed then)
     */
    Frame call(ObjectNode header, byte[] body, Duration timeout) throws IOException, WorkerError {
        long id = ids.incrementAndGet();
        header.put("id", id);
        CompletableFuture<Frame> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        try {
            if (death != null) throw new WorkerGone(death, null);
            synchronized (writeLock) {
                new Frame(header, body).write(stdin, sendLimit());
            }
            Frame frame = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if ("error".equals(frame.type())) {
                throw new WorkerError(frame.header().path("code").asText("unknown"), frame.header().path("message").asText(""));
            }
            return frame;
        } catch (Frame.FrameTooLargeException e) {
            throw e;
        } catch (WorkerGone | WorkerError e) {
            throw e;
        } catch (IOException e) {
            // A closed pipe nearly always means the worker exited: say so when it did.
            String status = exitStatus();
            kill(status.startsWith(" with") ? "the " + settings.runtime() + " worker exited" + status
                    : "writing to the worker failed: " + e.getMessage());
            throw new WorkerGone(death, e);
        } catch (TimeoutException e) {
            kill("the worker did not answer " + header.path("type").asText() + " within " + timeout);
            throw new WorkerGone(death, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof WorkerGone g ? g : new WorkerGone(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerGone("interrupted while waiting for the worker", e);
        } finally {
            waiting.remove(id);
        }
    }

    /** The smaller of the two sides' limits: the worker refuses what exceeds its own. */
    private int sendLimit() {
        Hello h = hello.getNow(null);
        return h == null ? settings.maxFrameBytes() : Math.min(settings.maxFrameBytes(), h.maxFrameBytes());
    }

    /** Asks the worker to exit, then kills it if it has not within a grace period; reaps it either way. */
    @Override
    public void close() {
        if (death == null) {
            try {
                synchronized (writeLock) {
                    new Frame(Frame.JSON.createObjectNode().put("type", "shutdown")).write(stdin, settings.maxFrameBytes());
                    stdin.close();
                }
                process.waitFor(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (IOException e) {
                // the worker is already gone: nothing to ask
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        kill("the engine closed");
    }

    /** Marks the worker dead (first reason wins), fails every waiting request, kills and reaps the process. */
    void kill(String reason) {
        synchronized (this) {
            if (death == null) death = reason;
        }
        WorkerGone gone = new WorkerGone(death, null);
        hello.completeExceptionally(gone);
        for (CompletableFuture<Frame> f : new ArrayList<>(waiting.values())) f.completeExceptionally(gone);
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            // waitFor reaps the child: no zombie stays behind
            if (!process.waitFor(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warning(() -> settings.runtime() + " worker " + process.pid() + " did not exit after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readFrames() {
        DataInputStream in = Frame.input(process.getInputStream());
        try {
            while (true) {
                Frame frame = Frame.read(in, settings.maxFrameBytes());
                if ("hello".equals(frame.type())) {
                    hello.complete(parseHello(frame.header()));
                } else if (frame.id() < 0) {
                    // an error about the stream itself (e.g. a frame the worker refused): it stops after it
                    kill("the worker gave up on the stream: " + frame.header().path("code").asText() + ": "
                            + frame.header().path("message").asText());
                    return;
                } else {
                    CompletableFuture<Frame> f = waiting.get(frame.id());
                    if (f != null) f.complete(frame);
                }
            }
        } catch (EOFException e) {
            kill("the " + settings.runtime() + " worker exited" + exitStatus());
        } catch (IOException | RuntimeException e) {
            kill("the " + settings.runtime() + " worker broke the protocol: " + e.getMessage());
        } catch (Error e) {
            // e.g. OutOfMemoryError for a large answer: waiters must fail now, not hang until their timeout
            kill("the updater could not read the worker's answer: " + e);
            throw e;
        }
    }

    private String exitStatus() {
        try {
            if (process.waitFor(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) return " with status " + process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return " (closed its output)";
    }

    private Hello parseHello(JsonNode h) {
        List<String> backends = new ArrayList<>();
        h.path("backends").forEach(b -> backends.add(b.asText()));
        long max = h.path("maxFrameBytes").asLong(settings.maxFrameBytes());
        return new Hello(h.path("protocol").asInt(-1), h.path("runtime").asText(""), h.path("version").asText(""),
                List.copyOf(backends), (int) Math.max(1024, Math.min(Integer.MAX_VALUE - 8, max)));
    }

    /** Copies the worker's stderr into the updater's log, a line at a time. */
    private void copyLog(InputStream err) {
        try (Reader r = new java.io.InputStreamReader(err, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = r.read()) >= 0) {
                if (c == '\n') {
                    String text = line.toString();
                    LOG.info(() -> settings.runtime() + " worker " + process.pid() + ": " + text);
                    line.setLength(0);
                } else if (line.length() < MAX_LOG_LINE) {
                    line.append((char) c);
                }
            }
        } catch (IOException e) {
            // the worker closed stderr: it is exiting, and the reader reports that
        }
    }

    private void daemon(String role, Runnable body) {
        Thread t = new Thread(body, settings.runtime() + "-worker-" + process.pid() + "-" + role);
        t.setDaemon(true);
        t.start();
    }
}
