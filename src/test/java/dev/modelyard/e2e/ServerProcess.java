package dev.modelyard.e2e;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged registry server as a real operating-system process: the same jar users run,
 * with the heap limit and environment a test chooses. Killing it is a real crash.
 */
public final class ServerProcess implements AutoCloseable {

    /** How long a test waits for something the server or the device does: generous, since the machine may be busy. */
    static final Duration WAIT = Duration.ofMinutes(3);

    private final Map<String, String> env;
    private final String heap;
    private final Path log;
    private final int port;
    private Duration readyTimeout = WAIT;
    private Process process;

    private ServerProcess(Map<String, String> env, String heap, Path log, int port) {
        this.env = env;
        this.heap = heap;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the server with no database configured, so it runs its embedded PostgreSQL in the
     * data directory; waits up to {@code readyTimeout} (a first start unpacks PostgreSQL).
     */
    static ServerProcess startWithEmbeddedDatabase(Path dataDir, String heap, Map<String, String> extraEnv,
                                                   Duration readyTimeout) {
        Map<String, String> env = new HashMap<>();
        int port = Ports.free();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("MODELYARD_DATA_DIR", dataDir.toString());
        env.putAll(extraEnv);
        ServerProcess s = new ServerProcess(env, heap, dataDir.resolveSibling(dataDir.getFileName() + "-server.log"), port);
        s.readyTimeout = readyTimeout;
        s.launch();
        return s;
    }

    /** Starts the server and waits until it is ready. {@code env} adds to the defaults (port, database, data dir). */
    static ServerProcess start(String jdbcUrl, Path dataDir, String heap, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>();
        int port = Ports.free();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        env.put("MODELYARD_DATA_DIR", dataDir.toString());
        env.putAll(extraEnv);
        ServerProcess s = new ServerProcess(env, heap, dataDir.resolveSibling(dataDir.getFileName() + "-server.log"), port);
        s.launch();
        return s;
    }

    void launch() {
        String jar = System.getProperty("modelyard.server.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the packaged server is missing at " + jar + "; run the build from the top (mvn verify)");
        }
        List<String> cmd = Jvm.command("-Xmx" + heap, "-jar", jar);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        if (!env.containsKey("QUARKUS_DATASOURCE_JDBC_URL")) {
            // Not even one inherited from the environment the tests run in.
            pb.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        }
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(readyTimeout);
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited at start (code " + process.exitValue() + "):\n" + log());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            pause(200);
        }
        throw new IllegalStateException("the server was not ready within " + timeout + ":\n" + log());
    }

    /** Runs a server that is expected to refuse to start; returns its exit code. */
    static int runExpectingExit(String jdbcUrl, Path dataDir, Map<String, String> extraEnv, Duration timeout) throws Exception {
        ServerProcess s = new ServerProcess(new HashMap<>(), "128m", dataDir.resolveSibling(dataDir.getFileName() + "-server.log"), Ports.free());
        s.env.put("QUARKUS_HTTP_PORT", Integer.toString(s.port));
        s.env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        s.env.put("MODELYARD_DATA_DIR", dataDir.toString());
        s.env.putAll(extraEnv);
        String jar = System.getProperty("modelyard.server.jar");
        ProcessBuilder pb = new ProcessBuilder(Jvm.command("-jar", jar))
                .redirectErrorStream(true).redirectOutput(s.log.toFile());
        pb.environment().putAll(s.env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the server kept running although it should have refused to start");
        }
        s.process = p;
        return p.exitValue();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A client of this server's management API with an API token, as scripts and the CLI use it. */
    public ModelyardClient client(String token) {
        return ModelyardClient.connect(uri(""), token);
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hooks, no cleanup — what a power cut does to the process. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    void restart() {
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** Waits until {@code condition} holds, checking every 100 ms for at most {@link #WAIT}; fails naming {@code what}. */
    public static void await(String what, java.util.function.BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("not within " + WAIT + ": " + what);
            pause(100);
        }
    }

    /**
     * Reads until {@code done} holds for what was read, every 100 ms for at most {@link #WAIT};
     * returns the last read, which a failure names.
     */
    public static <T> T await(String what, java.util.function.Supplier<T> read, java.util.function.Predicate<T> done) {
        Instant deadline = Instant.now().plus(WAIT);
        T last = read.get();
        while (!done.test(last)) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("not within " + WAIT + ": " + what + "; last read: " + last);
            pause(100);
            last = read.get();
        }
        return last;
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
