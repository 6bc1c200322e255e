package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.modelyard.client.ApiProblemException;
import dev.modelyard.client.GitSources;
import dev.modelyard.client.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The git-source commands without a server: their requests, the wait's test of an attempt, the human view. */
class GitSourceCommandTest {

    @TempDir
    Path dir;

    @Test
    void createFromAFileWithOptionsOverridingIt() throws Exception {
        Files.writeString(dir.resolve("fleet.yaml"), """
                name: fleet
                url: https://git.example.com/ml/fleet.git
                branch: main
                path: prod
                interval: 5m
                role: operator
                credentials: {username: ci, passwordRef: "env:GITSYNC_FLEET_TOKEN"}
                """);
        GitSourceCommand.Create c = new GitSourceCommand.Create();
        new CommandLine(c).parseArgs("-f", dir.resolve("fleet.yaml").toString(), "--branch", "release", "--no-prune",
                "--password-ref", "file:/run/secrets/gitsync/fleet-token");
        GitSources.GitSourceBody b = c.request();
        assertEquals("fleet", b.name());
        assertEquals("release", b.branch());
        assertEquals("prod", b.path());
        assertEquals("5m", b.interval());
        assertEquals(Boolean.FALSE, b.prune());
        assertEquals(new GitSources.Credentials("ci", "file:/run/secrets/gitsync/fleet-token"), b.credentials());
    }

    @Test
    void createFromOptionsNeedsANameAndAUrl() throws Exception {
        GitSourceCommand.Create c = new GitSourceCommand.Create();
        new CommandLine(c).parseArgs("fleet", "--url", "file:///srv/git/fleet.git", "--role", "operator", "--drift-policy", "flag", "--prune");
        GitSources.GitSourceBody b = c.request();
        assertEquals("flag", b.driftPolicy());
        assertEquals(Boolean.TRUE, b.prune());
        assertNull(b.credentials(), "no credentials unless given");
        assertNull(b.branch(), "the server's default branch");

        GitSourceCommand.Create missing = new GitSourceCommand.Create();
        new CommandLine(missing).parseArgs("fleet", "--role", "operator");
        assertEquals("a git source needs --url", assertThrows(CliException.class, missing::request).getMessage());
        GitSourceCommand.Create nothing = new GitSourceCommand.Create();
        new CommandLine(nothing).parseArgs();
        assertEquals("a git source needs a NAME, --url, --role", assertThrows(CliException.class, nothing::request).getMessage());
    }

    @Test
    void aBrokenSourceFileNamesLineAndColumn() throws Exception {
        Files.writeString(dir.resolve("s.json"), "{\"name\": \"x\",\n \"prune\": [1]}");
        Cli cli = new Cli(dir);
        cli.env.put("MODELYARD_SERVER", "http://127.0.0.1:1");
        cli.env.put("MODELYARD_TOKEN", "myd_x");
        String err = cli.run("git-source", "create", "-f", cli.path("s.json")).fails().err();
        assertTrue(err.contains("s.json:2:") && err.contains("not a git source"), err);
    }

    @Test
    void theWaitCountsOnlyAnAttemptThatEndedAfterTheOneBefore() {
        Instant t = Instant.parse("2026-06-01T12:00:00Z");
        GitSources.Attempt before = new GitSources.Attempt("a1", t, "applied", null, List.of());
        assertFalse(GitSourceCommand.Sync.newer(null, null), "no attempt yet");
        assertTrue(GitSourceCommand.Sync.newer(before, null), "the first attempt");
        assertFalse(GitSourceCommand.Sync.newer(before, before), "the same attempt");
        assertTrue(GitSourceCommand.Sync.newer(new GitSources.Attempt("a2", t.plusMillis(1), "failed", null, List.of()), before));
    }

    @Test
    void theHumanViewShowsErrorsAsFileLineColumnAndDrift() {
        GitSources.GitSource s = new GitSources.GitSource("fleet", "file:///srv/fleet.git", "main", "prod", "1m",
                new GitSources.Credentials("ci", "env:GITSYNC_FLEET_TOKEN"), null, "/hooks/git/default/fleet", "flag", true, "operator",
                null, null, null, "failed", "0123456789abcdef0123", null,
                new GitSources.Attempt("fedcba9876543210", Instant.parse("2026-06-01T12:00:00Z"), "failed", "1 error",
                        List.of(new GitSources.SyncError("prod/models.yaml", 8, 13, "spec.aliases.stable", "model 'kws' has no version 9.9.9"))),
                List.of(new GitSources.Drift("DeviceGroup", "lab", "update",
                        List.of(new Manifests.Difference("spec.filter", TextNode.valueOf("tag==x"), TextNode.valueOf("tag==lab"))))),
                List.of(new GitSources.Conflict("Rollout", "r1", "managed by cli")), 3L, null);
        String text = GitSourceCommand.describe(s);
        assertTrue(text.contains("prod/models.yaml:8:13: model 'kws' has no version 9.9.9"), text);
        assertTrue(text.contains("DeviceGroup lab (spec.filter: \"tag==x\" -> \"tag==lab\")"), text);
        assertTrue(text.contains("drift policy flag: reported, left as it is"), text);
        assertTrue(text.contains("Rollout r1: managed by cli"), text);
        assertTrue(text.contains("ci password from env:GITSYNC_FLEET_TOKEN"), text);
        assertTrue(text.contains("commit fedcba987654"), text);
        assertEquals("fetch failed", new GitSources.SyncError(null, null, null, null, "fetch failed").toString());
    }

    @Test
    void anUnknownSourceHasAHint() {
        ApiProblemException p = new ApiProblemException(new ApiProblemException.Problem(null, null, 404, "no git source 'x'", null,
                "git-source-not-found", null, null, null));
        assertEquals("list the git sources ('modelyard git-source ls')", Hints.of(p));
    }

    @Test
    void helpAndCompletionKnowTheCommands() {
        Cli cli = new Cli(dir);
        for (String sub : List.of("ls", "describe", "create", "update", "delete", "sync", "objects")) {
            assertTrue(cli.run("git-source", sub, "--help").ok().out().startsWith("Usage: modelyard git-source " + sub), sub);
        }
        String bash = cli.run("completion", "bash").ok().out();
        assertTrue(bash.contains("git-source") && bash.contains("--drift-policy") && bash.contains("--wait"), "completion covers git-source");
    }
}
