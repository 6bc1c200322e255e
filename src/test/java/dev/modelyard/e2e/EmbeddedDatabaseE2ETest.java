package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Models;
import dev.modelyard.testing.Ports;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no database configured, the packaged server runs a real PostgreSQL of its own in the data
 * directory: the data survives restarts, the database stops with the server, and a server that
 * was killed does not keep the next one from starting.
 */
class EmbeddedDatabaseE2ETest {

    private static final String ADMIN = "e2e-embedded-admin-token-0123456789";
    /** Every start may wait this long; the first unpacks and initializes PostgreSQL, slow on a busy machine. */
    private static final Duration START = Duration.ofMinutes(5);

    @TempDir
    Path work;

    @Test
    void runsItsOwnPostgresqlKeepsItsDataAndStopsItWithTheServer() throws Exception {
        Path data = work.resolve("data");
        ServerProcess server = ServerProcess.startWithEmbeddedDatabase(data, "256m", Map.of("MODELYARD_ADMIN_TOKEN", ADMIN),
                START);
        try {
            server.client(ADMIN).models().create(Models.NewModel.named("kept-model"));
            assertTrue(server.log().contains("starting embedded PostgreSQL in " + data.resolve("postgres")), server.log());
            assertEquals(1, postgresServersOf(data).size(), "one PostgreSQL server runs in the data directory");
            assertTrue(Files.exists(data.resolve("postgres/pgdata/PG_VERSION")));

            stopGracefully(server);
            awaitNoPostgresServer(data, "PostgreSQL stopped with the server");
            assertFalse(Files.exists(data.resolve("postgres/pgdata/postmaster.pid")), "stopped cleanly");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("postgres"))));
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(data.resolve("postgres/postgres.log"))));
            assertTrue(server.log().contains("modelyard stopped"), server.log());

            server.restart();
            assertEquals("kept-model", server.client(ADMIN).models().get("kept-model").name());

            // SIGKILL: no shutdown hook runs, PostgreSQL is left running with its postmaster.pid.
            server.kill();
            List<ProcessHandle> leftover = postgresServersOf(data);
            assertEquals(1, leftover.size(), "a killed server leaves its PostgreSQL running");
            assertTrue(Files.exists(data.resolve("postgres/pgdata/postmaster.pid")));

            server.restart();
            assertFalse(leftover.get(0).isAlive(), "the next start stopped the leftover server");
            assertTrue(server.log().contains("left running in"), server.log());
            assertEquals("kept-model", server.client(ADMIN).models().get("kept-model").name());
            stopGracefully(server);
            awaitNoPostgresServer(data, "PostgreSQL stopped with the restarted server");
        } finally {
            server.close();
            // Whatever failed above, leave no PostgreSQL behind on the machine.
            for (ProcessHandle p : postgresServersOf(data)) p.destroyForcibly();
        }
    }

    @Test
    void aServerThatCannotStartSaysWhyAndStopsItsDatabase() throws Exception {
        Path data = work.resolve("weak");
        Path log = work.resolve("weak-server.log");
        Process p = startWithoutDatabase(data, log, Map.of("MODELYARD_ADMIN_TOKEN", "admin"));
        try {
            String text = awaitRefusal(p, log, "the server refuses to start");
            assertTrue(text.contains("MODELYARD_ADMIN_TOKEN is shorter than"), text);
            assertTrue(text.contains("embedded PostgreSQL is running"), "it got as far as the database:\n" + text);
            awaitNoPostgresServer(data, "its PostgreSQL stopped with it");
        } finally {
            p.destroyForcibly();
            for (ProcessHandle h : postgresServersOf(data)) h.destroyForcibly();
        }
    }

    @Test
    void aConfiguredPortInUseIsReportedNotWaitedFor() throws Exception {
        Path data = work.resolve("taken");
        Path log = work.resolve("taken-server.log");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process p = startWithoutDatabase(data, log, Map.of("MODELYARD_ADMIN_TOKEN", ADMIN,
                    "MODELYARD_EMBEDDED_POSTGRES_PORT", Integer.toString(taken.getLocalPort())));
            try {
                String text = awaitRefusal(p, log, "the server gives up");
                assertTrue(text.contains("could not listen on 127.0.0.1:" + taken.getLocalPort()), text);
                awaitNoPostgresServer(data, "no PostgreSQL is left behind");
            } finally {
                p.destroyForcibly();
                for (ProcessHandle h : postgresServersOf(data)) h.destroyForcibly();
            }
        }
    }

    /** The packaged server with no database configured, as a process expected to refuse to start. */
    private static Process startWithoutDatabase(Path data, Path log, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Jvm.command("-Xmx256m", "-jar", System.getProperty("modelyard.server.jar")))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(Ports.free()));
        pb.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        pb.environment().put("MODELYARD_DATA_DIR", data.toString());
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for the process to exit, asserts it failed, and returns what it logged. */
    private static String awaitRefusal(Process p, Path log, String what) throws Exception {
        assertTrue(p.waitFor(START.toSeconds(), TimeUnit.SECONDS), what);
        String text = Files.readString(log);
        assertTrue(p.exitValue() != 0, text);
        return text;
    }

    /**
     * The server's JVM waits for its PostgreSQL to be gone before it exits, but the process table
     * may lag behind on a busy machine: wait for the condition rather than look once.
     */
    private static void awaitNoPostgresServer(Path data, String what) {
        long deadline = System.nanoTime() + ServerProcess.WAIT.toNanos();
        while (!postgresServersOf(data).isEmpty() && System.nanoTime() < deadline) {
            ServerProcess.pause(200);
        }
        assertEquals(List.of(), postgresServersOf(data), what);
    }

    /** SIGTERM, as a service manager or Ctrl-C stops the server, with a generous wait for its clean exit. */
    private static void stopGracefully(ServerProcess server) throws Exception {
        ProcessHandle jvm = ProcessHandle.of(server.pid()).orElseThrow();
        jvm.destroy();
        jvm.onExit().get(2, TimeUnit.MINUTES);
    }

    /** The PostgreSQL servers (postmasters: the others rename themselves) running on this data directory. */
    private static List<ProcessHandle> postgresServersOf(Path data) {
        String pgdata = data.resolve("postgres/pgdata").toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> p.info().commandLine().map(c -> c.contains(pgdata)).orElse(false))
                .toList();
    }
}
