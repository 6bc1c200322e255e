package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.Rollouts;
import dev.modelyard.wire.TargetDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parsing of the new commands' options, hints, and the completion script: all without a server. */
class CommandLineTest {

    @TempDir
    Path dir;

    @Test
    void rolloutFromAFileWithOptionsOverridingIt() throws Exception {
        Files.writeString(dir.resolve("r.yaml"), """
                name: kws-canary
                model: kws
                version: production
                filter: tag==lab
                phases:
                  - {name: canary, size: "2", bake: PT10M}
                  - {name: rest, size: "100%"}
                failureBudget: {maxFailurePct: 5, minExecuted: 10, onFailure: rollback}
                """);
        RolloutCommand.Create c = new RolloutCommand.Create();
        new CommandLine(c).parseArgs("-f", dir.resolve("r.yaml").toString(), "--version", "1.2.0", "--start");
        Rollouts.NewRollout r = c.request();
        assertEquals("kws-canary", r.name());
        assertEquals("1.2.0", r.version());
        assertEquals("tag==lab", r.filter());
        assertEquals(List.of("canary", "rest"), r.phases().stream().map(Rollouts.Phase::name).toList());
        assertEquals("PT10M", r.phases().get(0).bake());
        assertEquals("rollback", r.failureBudget().onFailure());
        assertEquals(Boolean.TRUE, r.start());
    }

    @Test
    void rolloutFromOptions() throws Exception {
        RolloutCommand.Create c = new RolloutCommand.Create();
        new CommandLine(c).parseArgs("--name", "n", "--model", "kws", "--version", "1.0.0", "--filter", "tag==lab",
                "--phase", "canary:2:PT5M", "--phase", "rest:100%", "--max-failure-pct", "10", "--on-failure", "rollback");
        Rollouts.NewRollout r = c.request();
        assertEquals("2", r.phases().get(0).size());
        assertEquals("100%", r.phases().get(1).size());
        assertNull(r.phases().get(1).bake());
        assertEquals(10.0, r.failureBudget().maxFailurePct());
        assertNull(r.start());

        RolloutCommand.Create missing = new RolloutCommand.Create();
        new CommandLine(missing).parseArgs("--name", "n");
        assertEquals("a rollout needs --model, --version, --filter or --group",
                assertThrows(CliException.class, missing::request).getMessage());
        assertThrows(CliException.class, () -> RolloutCommand.Create.parsePhases(List.of("canary")));
        assertThrows(CliException.class, () -> RolloutCommand.Create.parsePhases(List.of("canary:2:ten minutes")));
    }

    @Test
    void aBrokenRolloutFileNamesLineAndColumn() throws Exception {
        Files.writeString(dir.resolve("r.json"), "{\"name\": \"x\",\n \"phases\": 7}");
        Cli cli = new Cli(dir);
        cli.env.put("MODELYARD_SERVER", "http://127.0.0.1:1");
        cli.env.put("MODELYARD_TOKEN", "myd_x");
        String err = cli.run("rollout", "create", "-f", cli.path("r.json")).fails().err();
        assertTrue(err.contains("r.json:2:") && err.contains("not a rollout"), err);
    }

    @Test
    void watchDurations() throws Exception {
        assertEquals(Duration.ofSeconds(5), RolloutCommand.Watch.duration("--interval", "5s"));
        assertEquals(Duration.ofMinutes(10), RolloutCommand.Watch.duration("--interval", "10m"));
        assertEquals(Duration.ofSeconds(30), RolloutCommand.Watch.duration("--interval", "PT30S"));
        assertThrows(CliException.class, () -> RolloutCommand.Watch.duration("--interval", "soon"));
    }

    @Test
    void targetShortFormWinsOverSingleOptions() throws Exception {
        PushCommand push = new PushCommand();
        new CommandLine(push).parseArgs("kws", "1.0.0", "f.onnx", "--arch", "x86_64", "--precision", "fp16",
                "--target", "arch=aarch64,cpu-features=neon+dotprod,min-memory-mb=256");
        TargetDescriptor t = push.target.get();
        assertEquals("aarch64", t.arch());
        assertEquals("fp16", t.precision());
        assertEquals(List.of("dotprod", "neon"), t.cpuFeatures());
        assertEquals(256, t.minMemoryMb());

        PushCommand bad = new PushCommand();
        new CommandLine(bad).parseArgs("kws", "1.0.0", "f.onnx", "--target", "colour=red");
        assertTrue(assertThrows(CliException.class, bad.target::get).getMessage().startsWith("--target: unknown key 'colour'"));
    }

    @Test
    void refusalsPrintTheirCodeAndAHint() {
        ApiProblemException unauthorized = problem(401, "unauthorized", null, null);
        assertEquals("error: missing or invalid API token [code: unauthorized, HTTP 401]\n"
                + "hint: check the API token: 'modelyard login' again, or --token-file / $MODELYARD_TOKEN", Main.describe(unauthorized));
        assertEquals("fix 'phases[0].size'", Hints.of(problem(400, "invalid-field", "phases[0].size", null)));
        assertTrue(Hints.of(problem(403, "permission-not-held", null, null)).contains("tokens create"));
        assertTrue(Hints.of(problem(404, "model-not-found", null, null)).contains("modelyard ls"));
        assertTrue(Hints.of(problem(409, "version-not-draft", null, null)).contains("new version"));
        assertNull(Hints.of(problem(418, "teapot", null, null)));
        assertEquals("error: boom [code: none, HTTP 502]", Main.describe(problem(502, null, null, null)));
    }

    private static ApiProblemException problem(int status, String code, String field, String parameter) {
        String detail = status == 401 ? "missing or invalid API token" : "boom";
        return new ApiProblemException(new ApiProblemException.Problem(null, null, status, detail, null, code, field, parameter, null));
    }

    @Test
    void completionScriptsForBashAndZsh() {
        Cli cli = new Cli(dir);
        String bash = cli.run("completion", "bash").ok().out();
        assertTrue(bash.contains("complete -F") && bash.contains("modelyard") && bash.contains("push") && bash.contains("rollout"), bash.substring(0, 200));
        assertEquals(bash, cli.run("completion", "zsh").ok().out());
        assertTrue(cli.run("completion", "fish").fails().err().contains("use bash or zsh"));
    }

    @Test
    void progressLines() {
        assertEquals("1.5 MiB", Progress.bytes(1536 * 1024));
        assertEquals("512 B", Progress.bytes(512));
        assertEquals("1:05", Progress.duration(65));
        assertEquals("1:00:05", Progress.duration(3605));
        assertEquals(Duration.ofSeconds(1), PushCommand.backoff(1));
        assertEquals(Duration.ofSeconds(16), PushCommand.backoff(5));
        assertEquals(Duration.ofSeconds(30), PushCommand.backoff(9));
    }

    @Test
    void everyCommandHasHelp() {
        Cli cli = new Cli(dir);
        for (String[] c : List.of(new String[] {"rollout", "create"}, new String[] {"push"}, new String[] {"pull"}, new String[] {"ls"},
                new String[] {"describe", "version"}, new String[] {"devices", "ls"}, new String[] {"rollout", "watch"},
                new String[] {"login"}, new String[] {"context", "ls"}, new String[] {"alias", "set"}, new String[] {"completion"})) {
            String[] args = java.util.Arrays.copyOf(c, c.length + 1);
            args[c.length] = "--help";
            assertTrue(cli.run(args).ok().out().startsWith("Usage: modelyard " + String.join(" ", c)), String.join(" ", c));
        }
    }

    @Test
    void aWrongOutputFormatIsAUsageError() {
        Cli cli = new Cli(dir);
        String err = cli.run("context", "ls", "--output", "xml").usage().err();
        assertTrue(err.contains("'xml' is not an output format; use one of table, json, yaml"), err);
    }
}
