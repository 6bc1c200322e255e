package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd unit's own commands, run on the built jar: its ExecStartPre makes the class-data
 * archive from the shipped class list, and its ExecStart flags, with the archive made obligatory
 * ({@code -Xshare:on}, which refuses to start when the archive does not fit the jar), start the
 * updater with its classes taken from the archive. A flag this JDK refuses, an archive that does not
 * map, or a class list that no longer names the daemon's classes fails here rather than on a device,
 * where the JVM would quietly start without the archive.
 */
class DeviceUnitE2ETest {

    private static final String UNIT_JAR = "/opt/modelyard/modelyard-updater.jar";
    private static final String UNIT_CLASSLIST = "/opt/modelyard/modelyard-updater.classlist";
    private static final String UNIT_ARCHIVE = "/var/lib/modelyard/updater.jsa";
    private static final long WAIT_SECONDS = 300;

    @TempDir
    Path work;

    @Test
    void theUnitsArchiveHoldsTheDaemonsClassesAndItsFlagsStartTheUpdater() throws Exception {
        Path unit = Path.of(System.getProperty("modelyard.updater.unit"));
        List<String> lines = Files.readAllLines(unit);
        String pre = value(lines, "ExecStartPre=");
        String start = value(lines, "ExecStart=");

        // ExecStartPre: -/bin/sh -c '[ ARCHIVE -nt JAR ] || exec JAVA … >/dev/null'
        String dump = pre.substring(pre.indexOf("exec ") + "exec ".length(), pre.lastIndexOf(">/dev/null")).strip();
        Path archive = work.resolve("updater.jsa");
        assertEquals(0, run(onThisMachine(dump, archive), work.resolve("dump.log")), "the unit's ExecStartPre failed");
        assertTrue(Files.size(archive) > 0, "no archive made");

        Path config = work.resolve("updater.properties");
        Files.writeString(config, String.join("\n", "server.url=http://127.0.0.1:9", "controller.id=unit-test", "token=t",
                "trust.bundle=trust.json", "data.dir=" + work.resolve("data")) + "\n");
        List<String> daemon = onThisMachine(start, archive);
        // The unit's flags, the archive required, and each class's origin logged; `status` instead of `run`.
        List<String> command = new ArrayList<>(daemon.subList(0, daemon.indexOf("-jar")));
        command.addAll(List.of("-Xshare:on", "-Xlog:class+load=info", "-jar", System.getProperty("modelyard.updater.jar"),
                "status", "--config", config.toString()));
        Path out = work.resolve("status.log");
        assertEquals(0, run(command, out), "the updater did not start with the unit's flags and archive");
        String log = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(log.contains("no models installed"), log);
        for (String daemonClass : List.of("dev.modelyard.device.Main", "dev.modelyard.device.ddi.Updater",
                "dev.modelyard.device.api.InferenceServer", "dev.modelyard.device.ddi.DdiClient")) {
            assertTrue(log.contains(daemonClass + " source: shared objects file")
                            || !log.contains(daemonClass + " source:"),
                    daemonClass + " was loaded, but not from the archive: regenerate the class list (bench/device/README.md)");
        }
        assertTrue(log.contains("dev.modelyard.device.Main source: shared objects file"),
                "the daemon's main class is not in the archive: regenerate the class list (bench/device/README.md)");
    }

    private static String value(List<String> unit, String key) {
        return unit.stream().filter(l -> l.startsWith(key)).map(l -> l.substring(key.length())).findFirst()
                .orElseThrow(() -> new AssertionError("the unit has no " + key));
    }

    /** A command line of the unit with this machine's JDK, the built jar and class list, and the archive in {@code archive}. */
    private static List<String> onThisMachine(String unitCommand, Path archive) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path classlist = Path.of(System.getProperty("modelyard.updater.unit")).resolveSibling("modelyard-updater.classlist");
        return Arrays.stream(unitCommand.split(" +"))
                .map(a -> a.replace("/usr/bin/java", java).replace(UNIT_JAR, System.getProperty("modelyard.updater.jar"))
                        .replace(UNIT_CLASSLIST, classlist.toString()).replace(UNIT_ARCHIVE, archive.toString()))
                .toList();
    }

    private static int run(List<String> command, Path log) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish within " + WAIT_SECONDS + " s: " + command);
        }
        return p.exitValue();
    }
}
