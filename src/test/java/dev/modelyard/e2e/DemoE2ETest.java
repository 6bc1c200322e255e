package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.testing.Ports;
import dev.modelyard.testing.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/demo's program as a newcomer runs it, with --exit: the packaged server and updater as its
 * child processes, a throw-away database, free ports. It must end with code 0 after the device
 * served both versions, answered the sample flower differently with each, and failed no request
 * during the swap; and it must leave nothing running.
 */
class DemoE2ETest {

    private static final Pattern SERVING = Pattern.compile("device demo-cam-1 is serving demo-classifier (\\S+)");
    private static final Pattern ANSWER = Pattern.compile(": (setosa|versicolor|virginica) ([0-9.]+) .* from demo-classifier (\\S+)");
    private static final Pattern SWAP = Pattern.compile("(\\d+) requests during the swap, (\\d+) failed \\((.*)\\)");
    private static final Pattern BY_VERSION = Pattern.compile("(\\d+) answered by (\\d+\\.\\d+\\.\\d+)");

    @TempDir
    Path work;

    record Run(int code, String out, String err) {
    }

    private Run demo(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("modelyard.demo.jar"),
                "--server-jar", System.getProperty("modelyard.server.jar"),
                "--updater-jar", System.getProperty("modelyard.updater.jar")));
        cmd.addAll(List.of(args));
        Path out = work.resolve("demo.out");
        Path err = work.resolve("demo.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroy();
            p.waitFor(40, TimeUnit.SECONDS);
            throw new AssertionError("the demo did not end within 10 minutes:\n" + Files.readString(out));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void deploysServesAndSwapsWithoutAFailedRequestThenStopsEverything() throws Exception {
        int port = Ports.free();
        int devicePort = Ports.free();
        try (TestPostgres db = TestPostgres.create("e2e_demo")) {
            Run run = demo(Map.of("QUARKUS_DATASOURCE_JDBC_URL", db.jdbcUrl()), "--exit", "--port", Integer.toString(port),
                    "--device-port", Integer.toString(devicePort), "--data-dir", "demo-data");
            String report = "exit " + run.code() + "\n" + run.out() + "\nstderr:\n" + run.err();
            assertEquals(0, run.code(), report);

            assertEquals(List.of("1.0.0", "1.1.0"), all(SERVING, run.out(), 1), report);
            // The answers to the same flower: each version's own, so the swap is visible.
            List<String[]> answers = new ArrayList<>();
            Matcher a = ANSWER.matcher(run.out());
            while (a.find()) answers.add(new String[]{a.group(1), a.group(2), a.group(3)});
            assertEquals(2, answers.size(), report);
            assertEquals(List.of("versicolor", "1.0.0"), List.of(answers.get(0)[0], answers.get(0)[2]), report);
            assertEquals(List.of("virginica", "1.1.0"), List.of(answers.get(1)[0], answers.get(1)[2]), report);

            Matcher swap = SWAP.matcher(run.out());
            assertTrue(swap.find(), report);
            long sent = Long.parseLong(swap.group(1));
            assertEquals(0, Long.parseLong(swap.group(2)), report);
            Map<String, Long> byVersion = new java.util.TreeMap<>();
            Matcher v = BY_VERSION.matcher(swap.group(3));
            while (v.find()) byVersion.put(v.group(2), Long.parseLong(v.group(1)));
            assertEquals(java.util.Set.of("1.0.0", "1.1.0"), byVersion.keySet(), "both versions answered during the swap: " + report);
            assertEquals(sent, byVersion.values().stream().mapToLong(Long::longValue).sum(), "every request counted once: " + report);
            assertTrue(byVersion.get("1.0.0") > 0 && byVersion.get("1.1.0") > 0, report);

            // --exit stopped the server and the device: their ports are free again.
            assertTrue(nothingListens(port), "the server still listens on " + port);
            assertTrue(nothingListens(devicePort), "the device still listens on " + devicePort);
            assertTrue(Files.readString(work.resolve("demo-data/device/updater.log")).contains("demo-classifier"), "the updater's log is kept");
            assertTrue(Files.isRegularFile(work.resolve("demo-data/server.log")));
            for (String secret : List.of("demo-data/admin-token", "demo-data/device/token", "demo-data/trust/root-key.json",
                    "demo-data/trust/release-key.json")) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve(secret))),
                        secret + " is readable by its owner only");
            }
        }
    }

    @Test
    void aPortInUseOrADirectoryItDidNotMakeIsRefusedBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run run = demo(Map.of(), "--exit", "--port", Integer.toString(taken.getLocalPort()), "--data-dir", "demo-data");
            assertEquals(1, run.code(), run.out() + run.err());
            assertTrue(run.err().contains("port " + taken.getLocalPort() + " for the server is in use"), run.err());
            assertTrue(run.err().contains("--port"), run.err());
            assertFalse(Files.exists(work.resolve("demo-data")), "nothing is created before the checks pass");
        }
        Path mine = Files.createDirectories(work.resolve("my-files"));
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        Run run = demo(Map.of(), "--exit", "--port", Integer.toString(Ports.free()), "--data-dir", "my-files");
        assertEquals(1, run.code(), run.out() + run.err());
        assertTrue(run.err().contains("my-files exists and was not made by the demo"), run.err());
        assertEquals("keep me", Files.readString(mine.resolve("notes.txt")));
    }

    private static List<String> all(Pattern pattern, String text, int group) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) found.add(m.group(group));
        return found;
    }

    /** Nothing accepts connections on the port (a closed connection's TIME_WAIT does not count). */
    private static boolean nothingListens(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return false;
        } catch (IOException refused) {
            return true;
        }
    }
}
