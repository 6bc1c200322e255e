package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CLI a pipeline uses, as a process against the packaged server: a stored context, {@code push}
 * resuming after the connection is cut mid-upload (in the same run, and with {@code --resume} in
 * the next), {@code pull} resuming a cut download, {@code --output json} that parses, and
 * {@code rollout watch}'s exit codes.
 */
class CliWorkflowE2ETest {

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_cli_workflow", "192m", Map.of());
    static final Pattern APPENDS = Pattern.compile(".*/uploads/[0-9a-f-]+");
    static final Pattern CONTENT = Pattern.compile(".*/artifacts/[^/]+/content");
    static Path work;
    static Map<String, String> env;

    @BeforeAll
    static void login() throws Exception {
        work = server.work();
        Files.writeString(work.resolve("admin.token"), FreshServer.ADMIN + "\n");
        env = new HashMap<>(Map.of("MODELYARD_CONFIG", work.resolve("cli-config/config.yaml").toString()));
        Cli.Split in = cli("login", "--server", server.process().uri("").toString(), "--token-file", "admin.token", "--context", "e2e");
        assertTrue(in.out().contains("context 'e2e' stored"), in.toString());
        Path config = work.resolve("cli-config/config.yaml");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        assertTrue(!Files.readString(config).contains(FreshServer.ADMIN), "the token itself is not stored");
    }

    private static Cli.Split cli(String... args) throws Exception {
        return Cli.run(work, env, 180, args);
    }

    private static JsonNode json(String... args) throws Exception {
        Cli.Split r = cli(args);
        assertEquals(0, r.code(), r.toString());
        return DeviceRig.JSON.readTree(r.out());
    }

    private static byte[] payload(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String proxied(CuttingProxy proxy) {
        return "http://127.0.0.1:" + proxy.port();
    }

    private static CuttingProxy proxy() throws Exception {
        URI s = server.process().uri("");
        return new CuttingProxy(new InetSocketAddress(s.getHost(), s.getPort()));
    }

    @Test
    void aWrongTokenIsRefusedAtLoginWithAHint() throws Exception {
        Files.writeString(work.resolve("wrong.token"), "myd_wrong\n");
        Cli.Split r = cli("login", "--server", server.process().uri("").toString(), "--token-file", "wrong.token", "--context", "bad");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("[code: unauthorized, HTTP 401]") && r.err().contains("hint: check the API token"), r.toString());
        assertTrue(!Files.readString(work.resolve("cli-config/config.yaml")).contains("name: bad"));
    }

    @Test
    void pushResumesAfterTheConnectionIsCutAndTheDigestIsTheFiles() throws Exception {
        byte[] bytes = payload(3 << 20, 1);
        Path file = Files.write(work.resolve("fw.bin"), bytes);
        try (CuttingProxy proxy = proxy()) {
            proxy.cutRequests("PATCH", APPENDS, 300_000, 1);
            JsonNode artifact = json("push", "pushed", "1.0.0", "fw.bin", "--create-version", "--chunk-size", "1048576",
                    "--server", proxied(proxy), "--progress", "plain", "--output", "json");
            assertEquals(1, proxy.requestCuts(), "the upload was cut once");
            assertEquals(Artifacts.sha256(file), artifact.get("sha256").asText());
            assertEquals(bytes.length, artifact.get("size").asLong());
            // the server asked where to resume: a GET of the upload after the cut
            List<String> asked = proxy.requests().stream().filter(h -> h.startsWith("GET ") && h.contains("/uploads/")).toList();
            assertTrue(!asked.isEmpty(), proxy.requests().toString());
        }
        ModelyardClient api = server.admin();
        assertEquals(Artifacts.sha256(file), api.artifacts().get("pushed", "1.0.0", "fw.bin").sha256());
        assertEquals(Versions.DRAFT, api.versions().get("pushed", "1.0.0").status());
    }

    @Test
    void aPushThatGaveUpContinuesWithResume() throws Exception {
        byte[] bytes = payload(3 << 20, 2);
        Path file = Files.write(work.resolve("fw2.bin"), bytes);
        Cli.Split again;
        try (CuttingProxy proxy = proxy()) {
            proxy.cutRequests("PATCH", APPENDS, 200_000, 1);
            Cli.Split gaveUp = cli("push", "resumed", "1.0.0", "fw2.bin", "--create-version", "--chunk-size", "1048576",
                    "--retries", "0", "--server", proxied(proxy));
            assertEquals(1, gaveUp.code(), gaveUp.toString());
            assertTrue(gaveUp.err().contains("--resume"), gaveUp.toString());
            assertEquals(1, proxy.requestCuts());
            // The next run, to the same server: it finds the upload and continues where the server stopped.
            again = cli("push", "resumed", "1.0.0", "fw2.bin", "--resume", "--server", proxied(proxy), "--progress", "plain", "--output", "json");
        }
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("resuming at"), again.toString());
        assertEquals(Artifacts.sha256(file), DeviceRig.JSON.readTree(again.out()).get("sha256").asText());
        // A finished push forgets its upload.
        assertTrue(!Files.readString(work.resolve("cli-config/uploads.yaml")).contains("fw2.bin"));
        Cli.Split nothingLeft = cli("push", "resumed", "1.0.0", "fw2.bin", "--resume");
        assertEquals(1, nothingLeft.code(), nothingLeft.toString());
        assertTrue(nothingLeft.err().contains("no interrupted push"), nothingLeft.toString());
    }

    @Test
    void pullResumesACutDownloadAndAPartialFile() throws Exception {
        byte[] bytes = payload(2 << 20, 3);
        Files.write(work.resolve("pull.bin"), bytes);
        assertEquals(0, cli("push", "pulled", "1.0.0", "pull.bin", "--create-version").code());
        try (CuttingProxy proxy = proxy()) {
            proxy.cutOnce(CONTENT, 700_000);
            JsonNode r = json("pull", "pulled", "1.0.0", "pull.bin", "-o", "down/pull.bin", "--server", proxied(proxy), "--output", "json");
            assertTrue(proxy.didCut());
            assertTrue(proxy.requests().stream().anyMatch(h -> h.startsWith("GET ") && h.contains("\nRange: bytes=")),
                    proxy.requests().toString());
            assertEquals(Artifacts.sha256(work.resolve("pull.bin")), r.get("sha256").asText());
        }
        assertEquals(-1, Files.mismatch(work.resolve("pull.bin"), work.resolve("down/pull.bin")));
        assertTrue(!Files.exists(work.resolve("down/pull.bin.part")));

        // A part left by an earlier run: only the rest is fetched, and the whole is checked.
        Files.write(work.resolve("down/again.bin.part"), Arrays.copyOf(bytes, 123_456));
        JsonNode again = json("pull", "pulled", "1.0.0", "--target", "format=bin", "-o", "down/again.bin", "--output", "json");
        assertEquals(123_456, again.get("resumedFrom").asLong());
        assertEquals(-1, Files.mismatch(work.resolve("pull.bin"), work.resolve("down/again.bin")));

        // A part that is not a prefix of the content is caught by the digest: nothing is kept.
        byte[] wrong = Arrays.copyOf(bytes, 1000);
        wrong[10] ^= 1;
        Files.write(work.resolve("down/bad.bin.part"), wrong);
        Cli.Split bad = cli("pull", "pulled", "1.0.0", "pull.bin", "-o", "down/bad.bin");
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains("nothing was kept"), bad.toString());
        assertTrue(!Files.exists(work.resolve("down/bad.bin")) && !Files.exists(work.resolve("down/bad.bin.part")));
    }

    @Test
    void pullVerifiesTheReleaseSignatureAgainstATrustBundle() throws Exception {
        Files.write(work.resolve("signed.bin"), payload(50_000, 6));
        assertEquals(0, cli("push", "signed", "1.0.0", "signed.bin", "--create-version").code());
        assertEquals(0, cli("publish", "signed", "1.0.0").code());
        // A root of trust for the server's release key, made offline with the CLI, as an operator does.
        for (String[] step : List.of(new String[] {"keys", "generate", "--out", "trust-root.json"},
                new String[] {"root", "init", "--root-key", "trust-root.json", "--release-key", "release-key.json", "--expires", "365d",
                        "--out", "trust-1.root.json"},
                new String[] {"trust-bundle", "--chain", "trust-1.root.json", "--out", "trust-bundle.json"},
                new String[] {"keys", "generate", "--out", "other-release.json"},
                new String[] {"root", "init", "--root-key", "trust-root.json", "--release-key", "other-release.json", "--expires", "365d",
                        "--out", "other.root.json"},
                new String[] {"trust-bundle", "--chain", "other.root.json", "--out", "other-bundle.json"})) {
            Cli.Split r = cli(step);
            assertEquals(0, r.code(), String.join(" ", step) + ": " + r);
        }
        JsonNode pulled = json("pull", "signed", "1.0.0", "signed.bin", "-o", "sig/signed.bin", "--trust-bundle", "trust-bundle.json",
                "--output", "json");
        assertTrue(pulled.get("signatureVerified").asBoolean(), pulled.toString());
        assertEquals(-1, Files.mismatch(work.resolve("signed.bin"), work.resolve("sig/signed.bin")));

        // A root that trusts another release key refuses the release: nothing is kept.
        Cli.Split refused = cli("pull", "signed", "1.0.0", "signed.bin", "-o", "sig/other.bin", "--trust-bundle", "other-bundle.json");
        assertEquals(1, refused.code(), refused.toString());
        assertTrue(refused.err().startsWith("refused: "), refused.toString());
        assertTrue(!Files.exists(work.resolve("sig/other.bin")) && !Files.exists(work.resolve("sig/other.bin.part")));
    }

    @Test
    void listsAndDescriptionsParseAsJsonAndYaml() throws Exception {
        Files.write(work.resolve("ls.bin"), payload(10_000, 4));
        assertEquals(0, cli("push", "listed", "1.0.0", "ls.bin", "--create-version").code());
        JsonNode published = json("publish", "listed", "1.0.0", "--output", "json");
        assertEquals(Versions.PUBLISHED, published.get("status").asText());
        assertEquals("1.0.0", json("alias", "set", "listed", "production", "1.0.0", "--output", "json").get("version").asText());

        JsonNode models = json("ls", "--output", "json");
        assertTrue(models.isArray());
        assertTrue(models.findValuesAsText("name").contains("listed"), models.toString());
        JsonNode versions = json("ls", "listed", "--output", "json");
        assertEquals("production", versions.get(0).get("aliases").get(0).asText());
        JsonNode artifacts = json("ls", "listed", "1.0.0", "--output", "json");
        assertEquals("ls.bin", artifacts.get(0).get("filename").asText());
        JsonNode version = json("describe", "version", "listed", "production", "--output", "json");
        assertEquals("1.0.0", version.get("version").asText());
        assertEquals(1, version.get("artifacts").size());

        Cli.Split yaml = cli("describe", "model", "listed", "--output", "yaml");
        assertEquals(0, yaml.code(), yaml.toString());
        assertTrue(yaml.out().contains("\naliases:\n  production: 1.0.0\n"), yaml.toString());
        Cli.Split table = cli("ls", "listed");
        assertTrue(table.out().startsWith("VERSION  STATUS"), table.toString());

        assertEquals(0, cli("alias", "rm", "listed", "production").code());
        Cli.Split missing = cli("describe", "model", "nothing-here");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("[code: model-not-found, HTTP 404]") && missing.err().contains("hint: "), missing.toString());

        json("devices", "create", "cli-dev-1", "--tag", "cli");
        json("devices", "create", "cli-dev-2", "--tag", "cli");
        JsonNode page = json("devices", "ls", "--filter", "tag==cli", "--page-size", "1", "--output", "json");
        assertEquals(2, page.get("total").asLong());
        assertEquals(1, page.get("items").size());
        assertEquals(2, json("devices", "ls", "--filter", "tag==cli", "--all", "--output", "json").get("items").size());
        Cli.Split badFilter = cli("devices", "ls", "--filter", "tag=!=");
        assertEquals(1, badFilter.code(), badFilter.toString());
        assertTrue(badFilter.err().contains("code: invalid-filter"), badFilter.toString());
    }

    @Test
    void rolloutWatchExitsZeroOnSuccessAndOneOnCancel() throws Exception {
        Files.write(work.resolve("ro.bin"), payload(10_000, 5));
        assertEquals(0, cli("push", "rolled", "1.0.0", "ro.bin", "--create-version").code());
        assertEquals(0, cli("publish", "rolled", "1.0.0").code());

        // No device matches: the one phase has nothing to wait for, and the rollout succeeds.
        JsonNode empty = json("rollout", "create", "--name", "nobody", "--model", "rolled", "--version", "1.0.0",
                "--filter", "tag==no-such-tag", "--start", "--output", "json");
        Cli.Split watched = Cli.run(work, env, 240, "rollout", "watch", "nobody", "--interval", "1s", "--timeout", "200s", "--output", "json");
        assertEquals(0, watched.code(), watched.toString());
        assertEquals("succeeded", DeviceRig.JSON.readTree(watched.out()).get("state").asText());
        assertTrue(watched.err().contains("rollout " + empty.get("id").asLong()), watched.toString());

        // A draft that is cancelled: watch reports it and exits 1.
        JsonNode draft = json("rollout", "create", "--name", "stopped", "--model", "rolled", "--version", "1.0.0",
                "--filter", "tag==cli-none", "--phase", "canary:1:PT1H", "--phase", "rest:100%", "--output", "json");
        long id = draft.get("id").asLong();
        assertEquals("cancelled", json("rollout", "cancel", Long.toString(id), "--output", "json").get("state").asText());
        Cli.Split cancelled = Cli.run(work, env, 120, "rollout", "watch", Long.toString(id), "--interval", "1s");
        assertEquals(1, cancelled.code(), cancelled.toString());
        assertTrue(cancelled.out().contains("cancelled"), cancelled.toString());

        JsonNode list = json("rollout", "ls", "--output", "json");
        assertTrue(list.findValuesAsText("name").containsAll(List.of("nobody", "stopped")), list.toString());
        assertTrue(cli("rollout", "status", "stopped").out().contains("state:"));
    }
}
