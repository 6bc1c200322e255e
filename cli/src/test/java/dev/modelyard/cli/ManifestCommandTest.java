package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plan/diff/apply before any server is asked: local validation, usage errors and their exit codes (2, never 1). */
class ManifestCommandTest {

    @TempDir
    Path dir;

    @Test
    void invalidManifestsArePrintedAsFileLineColumnAndExitTwoWithoutCallingTheServer() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("fleet/groups"));
        Files.writeString(sub.resolve("cams.yaml"), """
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata: {name: cams}
                spec:
                  filtr: "tag==cam"
                """);
        Files.writeString(dir.resolve("fleet/notes.txt"), "not a manifest");
        Cli cli = new Cli(dir);
        // no server configured: had it tried to call one, the error would say so
        for (String command : new String[]{"plan", "diff", "apply"}) {
            Cli.Result r = cli.run(command, "-f", dir.resolve("fleet").toString());
            assertEquals(2, r.code(), () -> r.err());
            String file = dir.resolve("fleet/groups/cams.yaml").toString();
            assertTrue(r.err().contains(file + ":4:1: spec: missing required field 'filter'"), r.err());
            assertTrue(r.err().contains(file + ":5:3: spec.filtr: unknown field (accepted: description, filter)"), r.err());
            assertTrue(r.err().contains("nothing was sent"), r.err());
        }
    }

    @Test
    void usageErrorsAndMissingServerExitTwoBecauseOneMeansChanges() throws Exception {
        Cli cli = new Cli(dir);
        assertEquals(2, cli.run("plan").code(), "-f is required");
        assertEquals(2, cli.run("diff", "-f", dir.toString(), "--output", "xml").code());
        Cli.Result empty = cli.run("plan", "-f", dir.toString());
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("no *.yaml or *.yml files"), empty.err());
        Files.writeString(dir.resolve("g.yml"), """
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata: {name: cams}
                spec: {filter: "tag==cam"}
                """);
        Cli.Result noServer = cli.run("apply", "-f", dir.resolve("g.yml").toString());
        assertEquals(2, noServer.code());
        assertTrue(noServer.err().contains("no server"), noServer.err());
    }
}
