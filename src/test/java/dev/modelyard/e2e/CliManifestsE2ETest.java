package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.GitSources;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged CLI's {@code plan}, {@code diff} and {@code apply} against the packaged server: exit
 * codes 0 (no change), 1 (changes) and 2 (errors, with the server's file:line:col), the human plan
 * with a rollout's device count, JSON output, idempotent apply and prune. And its {@code git-source}
 * commands against a bare repository on disk: a source synced with {@code sync --wait}, its objects
 * with their commit, a broken commit reported as file:line:col with exit 1 and nothing changed.
 */
class CliManifestsE2ETest {

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_cli_manifests", "192m", GitRepo.FILE_URLS);
    static Path work;

    @BeforeAll
    static void writeToken() throws Exception {
        work = server.work();
        Files.writeString(work.resolve("admin.token"), FreshServer.ADMIN + "\n");
    }

    private static Cli.Run cli(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[]{"--server", server.process().uri("").toString(), "--token-file", "admin.token"}, 0, all, args.length, 4);
        return Cli.run(work, all);
    }

    private static void write(String file, String text) throws Exception {
        Path p = work.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static String model(String version) {
        return """
                apiVersion: modelyard.dev/v1
                kind: Model
                metadata:
                  name: kws
                spec:
                  description: keyword spotting
                  aliases:
                    stable: %s
                """.formatted(version);
    }

    private static String group(String name, String filter) {
        return """
                apiVersion: modelyard.dev/v1
                kind: DeviceGroup
                metadata:
                  name: %s
                spec:
                  filter: "%s"
                """.formatted(name, filter);
    }

    @Test
    void planExitCodesApplyIdempotencyJsonOutputAndPrune() throws Exception {
        Files.write(work.resolve("kws.onnx"), OnnxModels.addBias(1, 1, 1, 1));
        assertEquals(0, cli("release", "kws", "1.0.0", "kws.onnx").code());
        assertEquals(0, cli("devices", "create", "cam-1", "--tag", "lab").code());
        write("fleet/models.yaml", model("1.0.0"));
        write("fleet/groups/lab.yaml", group("lab", "tag==lab"));
        write("fleet/groups/spare.yaml", group("spare", "tag==spare"));
        write("fleet/rollouts.yml", """
                apiVersion: modelyard.dev/v1
                kind: Rollout
                metadata:
                  name: kws-lab
                spec:
                  model: kws
                  version: stable
                  group: lab
                """);

        Cli.Run plan = cli("plan", "-f", "fleet");
        assertEquals(1, plan.code(), plan.out());
        assertTrue(plan.out().contains("~ update Model kws (spec.aliases.stable: (none) -> \"1.0.0\", "
                + "spec.description: (none) -> \"keyword spotting\")"), plan.out());
        assertTrue(plan.out().contains("+ create DeviceGroup lab"), plan.out());
        assertTrue(plan.out().contains("+ create Rollout kws-lab"), plan.out());
        assertTrue(plan.out().contains("Rollout kws-lab would reach 1 device\n"), plan.out());
        assertTrue(plan.out().contains("Plan: 3 to create, 1 to update, 0 to delete, 0 unchanged."), plan.out());

        Cli.Run apply = cli("apply", "-f", "fleet");
        assertEquals(0, apply.code(), apply.out());
        ModelyardClient api = server.admin();
        assertEquals("1.0.0", api.models().get("kws").aliases().get("stable"));

        Cli.Run again = cli("diff", "-f", "fleet");
        assertEquals(0, again.code(), again.out());
        assertTrue(again.out().contains("Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged."), again.out());
        assertEquals(0, cli("apply", "-f", "fleet").code());

        write("fleet/groups/lab.yaml", group("lab", "tag==lab;controllerId==cam-*"));
        Cli.Run json = cli("diff", "-f", "fleet", "--output", "json");
        assertEquals(1, json.code(), json.out());
        JsonNode changes = DeviceRig.JSON.readTree(json.out()).get("changes");
        JsonNode lab = null;
        for (JsonNode c : changes) if ("lab".equals(c.get("name").asText())) lab = c;
        assertEquals("update", lab.get("action").asText(), json.out());
        assertEquals("spec.filter", lab.at("/differences/0/path").asText());
        assertEquals("tag==lab;controllerId==cam-*", lab.at("/differences/0/to").asText());

        // the server's own checks come back as file:line:col, exit 2
        write("fleet/models.yaml", model("9.9.9"));
        Cli.Run bad = cli("plan", "-f", "fleet");
        assertEquals(2, bad.code(), bad.out());
        assertTrue(bad.out().contains("fleet/models.yaml:8:13: spec.aliases.stable: model 'kws' has no version 9.9.9"), bad.out());
        assertTrue(bad.out().contains("invalid-manifest"), bad.out());
        write("fleet/models.yaml", model("1.0.0"));

        // prune: a group file removed is deleted only with --prune
        Files.delete(work.resolve("fleet/groups/spare.yaml"));
        assertEquals(0, cli("apply", "-f", "fleet").code());
        Cli.Run wouldPrune = cli("plan", "-f", "fleet", "--prune");
        assertEquals(1, wouldPrune.code(), wouldPrune.out());
        assertTrue(wouldPrune.out().contains("- delete DeviceGroup spare"), wouldPrune.out());
        Cli.Run pruned = cli("apply", "-f", "fleet", "--prune");
        assertEquals(0, pruned.code(), pruned.out());
        assertTrue(pruned.out().contains("- delete DeviceGroup spare"), pruned.out());
        assertEquals(0, cli("plan", "-f", "fleet", "--prune").code());
    }

    /**
     * A bare repository on disk (file:// URL) as a team's fleet repository: create a source with the
     * CLI, {@code sync --wait}, the objects listed with the commit, a broken commit (exit 1, each error
     * as file:line:col, the registry left at the last good commit), the fix, update and delete.
     */
    @Test
    void gitSourceSyncsACommitReportsABrokenOneAndKeepsTheLastGood() throws Exception {
        try (GitRepo repo = GitRepo.create(work, "fleet-repo")) {
            String first = repo.commit("two device groups", Map.of(
                    "fleet/groups/lab.yaml", group("git-lab", "tag==lab"),
                    "fleet/groups/spare.yaml", group("git-spare", "tag==spare"),
                    "README.md", "not a manifest: outside the source's folder\n"));
            Cli.Run created = cli("git-source", "create", "fleet", "--url", repo.url(), "--path", "fleet", "--role", "operator",
                    "--interval", "1h");
            assertEquals(0, created.code(), created.out());
            assertTrue(created.out().contains("created git source fleet"), created.out());

            Cli.Split synced = gitCli("git-source", "sync", "fleet", "--wait", "--timeout", "3m");
            assertEquals(0, synced.code(), synced.toString());
            assertTrue(synced.out().contains("git source fleet synced at " + first.substring(0, 12)), synced.toString());

            Cli.Run objects = cli("git-source", "objects", "fleet", "--output", "json");
            assertEquals(0, objects.code(), objects.out());
            JsonNode listed = DeviceRig.JSON.readTree(objects.out());
            assertEquals(2, listed.size(), objects.out());
            for (JsonNode o : listed) {
                assertEquals("DeviceGroup", o.get("kind").asText(), objects.out());
                assertEquals(first, o.get("revision").asText(), "each object carries its commit: " + objects.out());
            }
            Cli.Run table = cli("git-source", "ls");
            assertTrue(table.out().contains("fleet") && table.out().contains("synced") && table.out().contains(first.substring(0, 12)), table.out());

            // A typo in one file: nothing changes, each error is file:line:col, exit 1.
            String broken = repo.commit("a typo", Map.of("fleet/groups/lab.yaml", group("git-lab", "tag==lab;controllerId==cam-*")
                    + "  filtr: oops\n"));
            Cli.Split failed = gitCli("git-source", "sync", "fleet", "--wait", "--timeout", "3m");
            assertEquals(1, failed.code(), failed.toString());
            assertTrue(failed.err().contains("fleet/groups/lab.yaml:7:3: ") && failed.err().contains("filtr"), failed.toString());
            assertTrue(failed.err().contains("commit " + broken.substring(0, 12) + " failed"), failed.toString());
            assertTrue(failed.err().contains("still at " + first.substring(0, 12)), failed.toString());
            GitSources.GitSource after = server.admin().gitSources().get("fleet");
            assertEquals("failed", after.status());
            assertEquals(first, after.lastSyncedCommit(), "the last good commit stays");
            assertEquals(broken, after.lastAttempt().commit());
            for (GitSources.ManagedObject o : server.admin().gitSources().objects("fleet", 0, 50).items()) {
                assertEquals(first, o.revision(), "nothing was applied from the broken commit");
            }
            assertTrue(cli("git-source", "describe", "fleet").out().contains("fleet/groups/lab.yaml:7:3: "), "describe shows the errors");

            String fixed = repo.commit("the fix", Map.of("fleet/groups/lab.yaml", group("git-lab", "tag==lab;controllerId==cam-*")));
            Cli.Split again = gitCli("git-source", "sync", "fleet", "--wait", "--timeout", "3m", "--output", "json");
            assertEquals(0, again.code(), again.toString());
            JsonNode view = DeviceRig.JSON.readTree(again.out());
            assertEquals("synced", view.get("status").asText(), again.out());
            assertEquals(fixed, view.get("lastSyncedCommit").asText(), again.out());

            // update changes what it is given and keeps the rest; delete leaves the objects
            assertEquals(0, cli("git-source", "update", "fleet", "--drift-policy", "revert").code());
            GitSources.GitSource updated = server.admin().gitSources().get("fleet");
            assertEquals("revert", updated.driftPolicy());
            assertEquals(repo.url(), updated.url());
            assertEquals("fleet", updated.path());
            assertEquals("1h", updated.interval());
            assertEquals(0, cli("git-source", "delete", "fleet").code());
            Cli.Split gone = gitCli("git-source", "describe", "fleet");
            assertEquals(1, gone.code(), gone.toString());
            assertTrue(gone.err().contains("git-source-not-found") && gone.err().contains("hint: list the git sources"), gone.toString());
        }
    }

    /** The CLI with stdout and stderr apart, for commands that wait. */
    private static Cli.Split gitCli(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[]{"--server", server.process().uri("").toString(), "--token-file", "admin.token"}, 0, all, args.length, 4);
        return Cli.run(work, Map.of(), 240, all);
    }
}
