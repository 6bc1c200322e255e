package dev.modelyard.demo;

import dev.modelyard.client.ApiProblemException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/demo}: Modelyard end to end on this machine, with real processes. Starts the
 * packaged registry server and a device updater, makes a root of trust with the key tooling,
 * deploys a sample ONNX model built here, then swaps in a new version while requests keep
 * coming, and says what to try next. Exit code 0 when everything worked, 1 with the reason
 * otherwise, 2 for a wrong command line.
 */
@Command(name = "bin/demo", sortOptions = false,
        description = {"Runs a registry server and a device updater on this machine, deploys a sample model to the device, "
                + "swaps in a new version while the device keeps answering requests, and keeps both running until Ctrl-C.",
                "Each run starts over: the data directory of an earlier demo is emptied first "
                        + "(a directory the demo did not create is never touched)."})
public final class Demo implements Callable<Integer> {

    /** In the data directory: says the directory was made by the demo, so a later run may empty it. */
    static final String MARKER = ".modelyard-demo";
    static final int DEFAULT_DEVICE_PORT = 8765;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "The server's HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--device-port", paramLabel = "PORT",
            description = "The device's local inference API port (default: " + DEFAULT_DEVICE_PORT + ", or a free one when that is taken).")
    Integer devicePort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "demo-data",
            description = "Where the server, the device, the keys and the logs keep their files (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--exit", description = "Stop the server and the device once the demo has run, instead of waiting for Ctrl-C (for scripts and CI).")
    boolean exit;

    @Option(names = "--server-jar", paramLabel = "JAR", defaultValue = "registry-server/target/quarkus-app/quarkus-run.jar",
            description = "The packaged registry server (default: ${DEFAULT-VALUE}).")
    Path serverJar;

    @Option(names = "--updater-jar", paramLabel = "JAR", defaultValue = "device-updater/target/modelyard-updater.jar",
            description = "The packaged device updater (default: ${DEFAULT-VALUE}).")
    Path updaterJar;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Demo()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        Narrator narrator = new Narrator(out);
        Stage stage;
        try {
            stage = prepare();
        } catch (DemoFailure e) {
            System.err.println("demo: " + e.getMessage());
            return 1;
        }
        Walkthrough walk = new Walkthrough(stage, narrator);
        Thread stopOnCtrlC = new Thread(walk::stop, "demo-stop");
        Runtime.getRuntime().addShutdownHook(stopOnCtrlC);
        try {
            walk.run();
        } catch (DemoFailure e) {
            walk.fail(e.getMessage());
            return 1;
        } catch (ApiProblemException e) {
            walk.fail("the server refused a request: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            walk.fail(e.toString());
            return 1;
        }
        if (exit) {
            walk.stop();
            return 0;
        }
        // Until Ctrl-C, whose shutdown hook stops both; a process that ends by itself is reported.
        return walk.awaitEnd();
    }

    /** Everything checked before anything starts: the jars, the ports, the data directory. */
    private Stage prepare() throws DemoFailure, IOException {
        for (Path jar : new Path[]{serverJar, updaterJar}) {
            if (!Files.isRegularFile(jar)) {
                throw new DemoFailure(jar + " is missing: build it first (bin/demo does, or: mvn -B -DskipTests package)");
            }
        }
        requireFree(port, "--port", "the server");
        int device;
        if (devicePort != null) {
            requireFree(devicePort, "--device-port", "the device's inference API");
            device = devicePort;
        } else {
            device = free(DEFAULT_DEVICE_PORT) ? DEFAULT_DEVICE_PORT : anyFreePort();
        }
        startOver(dataDir);
        return new Stage(dataDir, port, device, serverJar, updaterJar);
    }

    /** The demo's data directory, empty and marked as the demo's; a previous demo's files are removed. */
    static void startOver(Path dir) throws DemoFailure, IOException {
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            if (!Files.exists(dir.resolve(MARKER))) {
                throw new DemoFailure(dir + " exists and was not made by the demo; choose another directory with --data-dir");
            }
            System.out.println("Starting over: removing the previous demo's files in " + dir + "/");
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        } else if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new DemoFailure(dir + " is a file; choose another directory with --data-dir");
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(MARKER), "made by bin/demo; the next run of the demo empties this directory\n");
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void requireFree(int port, String option, String what) throws DemoFailure {
        if (port < 1 || port > 65535) throw new DemoFailure(option + " " + port + " is not a port number (1-65535)");
        if (!free(port)) {
            throw new DemoFailure("port " + port + " for " + what + " is in use (another server, or a demo still running?); "
                    + "stop it or choose another port with " + option);
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            // As the server and updater bind: connections a previous run closed (TIME_WAIT) do not block the port.
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    private static int anyFreePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Where the demo runs: checked and ready before its first step. */
    record Stage(Path dataDir, int serverPort, int devicePort, Path serverJar, Path updaterJar) {
    }
}
