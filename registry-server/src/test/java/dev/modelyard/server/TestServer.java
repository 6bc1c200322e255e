package dev.modelyard.server;

import dev.modelyard.testing.TestPostgres;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Gives every test run of the server its own PostgreSQL database and data directory, and a known
 * admin token. Registered once, for all tests.
 */
@QuarkusTestResource(TestServer.class)
public class TestServer implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";
    /** Small, so the 413 paths are cheap to test. */
    public static final long MAX_UPLOAD = 8 * 1024 * 1024;
    /** The tenant's DDI gateway token. */
    public static final String GATEWAY_TOKEN = "test-gateway-token-fedcba9876543210";

    private static Path dataDir;
    private TestPostgres db;

    public static Path dataDir() {
        return dataDir;
    }

    /** The upload parts staged on the server now. */
    public static java.util.Set<Path> stagedParts() throws IOException {
        try (Stream<Path> s = Files.list(dataDir.resolve("staging"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).collect(java.util.stream.Collectors.toSet());
        }
    }

    /**
     * Waits (generous deadline) until no part staged since {@code before} remains. Relative to
     * before: the server is shared, other tests' open upload sessions keep their parts, and
     * background work (conversions, delta builds) stages files of its own for a while.
     */
    public static void awaitNoNewStagedParts(java.util.Set<Path> before) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
        java.util.Set<Path> left;
        do {
            left = stagedParts();
            left.removeAll(before);
            if (left.isEmpty()) return;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("refused uploads left staged parts: " + left);
    }

    @Override
    public Map<String, String> start() {
        try {
            db = TestPostgres.create("server");
            dataDir = Files.createTempDirectory("modelyard-server-test");
            return Map.of(
                    "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                    "quarkus.datasource.username", db.user(),
                    "modelyard.data-dir", dataDir.toString(),
                    "modelyard.admin-token", ADMIN_TOKEN,
                    "modelyard.upload.max-size", Long.toString(MAX_UPLOAD),
                    "modelyard.ddi.gateway-token", GATEWAY_TOKEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (db != null) db.close();
        deleteTree(dataDir);
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory; the OS cleans what is left
        }
    }
}
