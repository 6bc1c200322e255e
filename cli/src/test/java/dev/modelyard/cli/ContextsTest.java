package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Contexts in the config file, and which server and token a command resolves to. */
class ContextsTest {

    @TempDir
    Path dir;

    private Path configFile(Cli cli) {
        return Path.of(cli.env.get("MODELYARD_CONFIG"));
    }

    private Cli withContexts() throws Exception {
        Cli cli = new Cli(dir);
        Files.writeString(dir.resolve("prod.token"), "myd_prod\n");
        Config.empty()
                .with(new Config.Entry("prod", "https://registry.example.com", "acme", dir.resolve("prod.token").toString(), null, null, null), true)
                .with(new Config.Entry("lab", "http://lab:8080", null, null, "LAB_TOKEN", null, null), false)
                .save(configFile(cli));
        return cli;
    }

    /** Resolves the target of a registry command line, as the command would. */
    private static Remote.Target resolve(Cli cli, String... args) throws Exception {
        Remote remote = new Remote();
        new CommandLine(remote).parseArgs(args);
        return remote.resolve(new Main.Context(System.out, System.err, cli.env::get, Clock.systemUTC()));
    }

    @Test
    void theConfigFileIsOwnerOnlyAndKeepsWhereTheTokenIsNotTheToken() throws Exception {
        Cli cli = withContexts();
        Path file = configFile(cli);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file);
        assertTrue(text.contains("current-context: prod") && text.contains("token-env: LAB_TOKEN"), text);
        assertTrue(!text.contains("myd_prod"), text);
        Config back = Config.load(file);
        assertEquals("prod", back.currentContext());
        assertEquals("acme", back.require("prod").tenant());
    }

    @Test
    void commandsUseTheCurrentContextAndOptionsOrTheEnvironmentWin() throws Exception {
        Cli cli = withContexts();
        Remote.Target current = resolve(cli);
        assertEquals("https://registry.example.com", current.server().toString());
        assertEquals("myd_prod", current.token());
        assertEquals("acme", current.tenant());

        cli.env.put("LAB_TOKEN", "myd_lab");
        Remote.Target lab = resolve(cli, "--context", "lab");
        assertEquals("http://lab:8080", lab.server().toString());
        assertEquals("myd_lab", lab.token());
        assertNull(lab.tenant());

        // --server overrides the context's server; the context still gives the token
        assertEquals("http://other:1", resolve(cli, "--context", "lab", "--server", "http://other:1").server().toString());
        cli.env.put("MODELYARD_TOKEN", "myd_env");
        assertEquals("myd_env", resolve(cli, "--context", "lab").token());
        // server and token both given outright: the current context's tenant does not apply
        Remote.Target outright = resolve(cli, "--server", "http://other:1");
        assertNull(outright.tenant());
        assertNull(outright.context());

        CliException e = assertThrows(CliException.class, () -> resolve(cli, "--context", "nope"));
        assertEquals("no context 'nope'; known: lab, prod", e.getMessage());
    }

    @Test
    void aContextWhoseTokenVariableIsUnsetSaysSo() throws Exception {
        Cli cli = withContexts();
        String err = cli.run("models", "list", "--context", "lab").fails().err();
        assertTrue(err.contains("context 'lab': environment variable LAB_TOKEN (its API token) is not set"), err);
    }

    @Test
    void contextLsUseShowDelete() throws Exception {
        Cli cli = withContexts();
        String table = cli.run("context", "ls").ok().out();
        assertTrue(table.startsWith("CURRENT  NAME"), table);
        assertTrue(table.contains("*        prod  https://registry.example.com  acme"), table);
        assertTrue(table.contains("environment variable LAB_TOKEN"), table);

        cli.run("context", "use", "lab").ok();
        JsonNode shown = OutputFormat.jsonMapper().readTree(cli.run("context", "show", "--output", "json").ok().out());
        assertEquals("lab", shown.get("name").asText());
        assertTrue(shown.get("current").asBoolean());
        assertTrue(cli.run("context", "show", "prod").ok().out().contains("tenant: acme"));

        assertTrue(cli.run("context", "use", "nope").fails().err().contains("no context 'nope'"));
        cli.run("context", "delete", "lab").ok();
        JsonNode left = OutputFormat.yamlMapper().readTree(cli.run("context", "ls", "--output", "yaml").ok().out());
        assertEquals(1, left.size());
        assertEquals("prod", left.get(0).get("name").asText());
        assertNull(Config.load(configFile(cli)).currentContext());
        assertTrue(cli.run("context", "show").fails().err().contains("no current context"));
    }

    @Test
    void aBrokenConfigFileNamesTheLine() throws Exception {
        Cli cli = new Cli(dir);
        Files.createDirectories(configFile(cli).getParent());
        Files.writeString(configFile(cli), "current-context: a\ncontexts:\n  - name: [unclosed\n");
        String err = cli.run("context", "ls").fails().err();
        assertTrue(err.contains("config.yaml:") && err.contains("not a modelyard config file"), err);
    }

    @Test
    void loginChecksTheServerBeforeStoringAnything() throws Exception {
        Cli cli = new Cli(dir);
        Files.writeString(dir.resolve("t"), "myd_x\n");
        String url;
        try (ServerSocket s = new ServerSocket(0)) {
            url = "http://127.0.0.1:" + s.getLocalPort();
        }
        String err = cli.run("login", "--server", url, "--token-file", cli.path("t")).fails().err();
        assertTrue(err.contains("the server at " + url + " does not answer"), err);
        assertTrue(!Files.exists(configFile(cli)));
        assertTrue(cli.run("login", "--server", url).usage().err().contains("--token-file"));
        assertTrue(cli.run("login", "--server", url, "--token-env", "X").fails().err().contains("environment variable X (its API token) is not set"));
    }

    @Test
    void helpListsTheExitCodes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, code);
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("Exit codes:") && help.contains("2   usage error"), help);
    }
}
