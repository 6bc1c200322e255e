package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * with a rollout's device count, JSON output, idempotent apply and prune.
 */
class CliManifestsE2ETest {

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_cli_manifests", "192m", Map.of());
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
}
