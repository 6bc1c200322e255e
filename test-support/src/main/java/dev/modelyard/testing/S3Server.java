package dev.modelyard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * A real S3 server (S3Proxy with a filesystem backend) in its own process on loopback. The jar
 * path comes from the {@code s3proxy.jar} system property that the build sets.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "modelyard-test";
    public static final String SECRET_KEY = "modelyard-test-secret";

    private final Process process;
    private final int port;

    private S3Server(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static S3Server start(Path workDir) {
        try {
            String jar = System.getProperty("s3proxy.jar");
            if (jar == null || !Files.isRegularFile(Path.of(jar))) {
                throw new IllegalStateException("system property s3proxy.jar does not name the S3Proxy jar: " + jar
                        + " (run the tests through Maven, which provides it)");
            }
            int port = Ports.free();
            Path data = Files.createDirectories(workDir.resolve("s3-data"));
            Properties p = new Properties();
            p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
            p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            p.setProperty("s3proxy.identity", ACCESS_KEY);
            p.setProperty("s3proxy.credential", SECRET_KEY);
            p.setProperty("jclouds.provider", "filesystem");
            p.setProperty("jclouds.filesystem.basedir", data.toString());
            Path props = workDir.resolve("s3proxy.properties");
            try (var out = Files.newOutputStream(props)) {
                p.store(out, "test S3 server");
            }
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(List.of(javaBin.toString(), "-Xmx256m", "-jar", jar, "--properties", props.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("s3proxy.log").toFile())
                    .start();
            S3Server server = new S3Server(process, port);
            server.awaitListening(Duration.ofSeconds(60), workDir.resolve("s3proxy.log"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening(Duration timeout, Path log) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited at start: " + Files.readString(log));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Ports.pause(100);
            }
        }
        close();
        throw new IllegalStateException("S3Proxy did not listen on port " + port + " within " + timeout);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
