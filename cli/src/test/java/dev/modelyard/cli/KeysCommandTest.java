package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.trust.Ed25519;
import dev.modelyard.wire.trust.KeyFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {

    @TempDir
    Path dir;
    Cli cli;

    @BeforeEach
    void setUp() {
        cli = new Cli(dir);
    }

    @Test
    void generatesAPlainKeyFileAndShowsItsPublicPart() throws Exception {
        Cli.Result generated = cli.run("keys", "generate", "--out", cli.path("a.key")).ok();
        String id = generated.out().strip();
        assertTrue(generated.err().contains("not encrypted"), generated.err());

        KeyPair pair = KeyFile.load(dir.resolve("a.key"), null);
        assertEquals(Ed25519.keyId(pair.getPublic()), id);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a.key"))));
        }

        String shown = cli.run("keys", "show", cli.path("a.key")).ok().out();
        assertTrue(shown.contains("key id:     " + id), shown);
        assertTrue(shown.contains("encrypted:  no"), shown);
        assertArrayEquals(Ed25519.rawPublicKey(pair.getPublic()), Base64.getDecoder().decode(cli.publicKey("a.key")));
    }

    @Test
    void generatesAnEncryptedKeyThatShowsWithoutItsPassphrase() throws Exception {
        Files.writeString(dir.resolve("pass"), "correct horse battery staple\nignored second line\n");
        String id = cli.run("keys", "generate", "--out", cli.path("root.key"), "--passphrase-file", cli.path("pass"))
                .ok().out().strip();

        String text = Files.readString(dir.resolve("root.key"));
        assertTrue(text.contains("\"encrypted\""), text);
        assertFalse(text.contains("\"seed\""), text);
        assertEquals(id, Ed25519.keyId(KeyFile.load(dir.resolve("root.key"), "correct horse battery staple".toCharArray()).getPublic()));
        assertThrows(IllegalArgumentException.class, () -> KeyFile.load(dir.resolve("root.key"), "wrong".toCharArray()));

        String shown = cli.run("keys", "show", cli.path("root.key")).ok().out();
        assertTrue(shown.contains(id) && shown.contains("encrypted:  yes"), shown);
    }

    @Test
    void readsThePassphraseFromAnEnvironmentVariable() throws Exception {
        cli.env.put("ROOT_PASS", "from the environment");
        String id = cli.run("keys", "generate", "--out", cli.path("env.key"), "--passphrase-env", "ROOT_PASS").ok().out().strip();
        assertEquals(id, Ed25519.keyId(KeyFile.load(dir.resolve("env.key"), "from the environment".toCharArray()).getPublic()));

        String err = cli.run("keys", "generate", "--out", cli.path("other.key"), "--passphrase-env", "UNSET_VAR").fails().err();
        assertTrue(err.contains("environment variable UNSET_VAR is not set"), err);
        assertFalse(Files.exists(dir.resolve("other.key")));
    }

    @Test
    void refusesToOverwriteAnExistingKeyFile() throws Exception {
        cli.generate("a.key");
        byte[] before = Files.readAllBytes(dir.resolve("a.key"));

        String err = cli.run("keys", "generate", "--out", cli.path("a.key")).fails().err();
        assertTrue(err.startsWith("error: ") && err.contains("a.key: already exists; refusing to overwrite"), err);
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("a.key")));
    }

    @Test
    void refusesAPassphraseFileWithAnEmptyFirstLineAndTwoPassphraseSources() throws Exception {
        Files.writeString(dir.resolve("empty"), "\nsecret\n");
        assertTrue(cli.run("keys", "generate", "--out", cli.path("a.key"), "--passphrase-file", cli.path("empty"))
                .fails().err().contains("first line (the passphrase) is empty"));
        cli.env.put("P", "x");
        assertTrue(cli.run("keys", "generate", "--out", cli.path("a.key"), "--passphrase-file", cli.path("empty"),
                "--passphrase-env", "P").fails().err().contains("not both"));
        assertFalse(Files.exists(dir.resolve("a.key")));
    }

    @Test
    void showRejectsAFileWhoseKeyIdDoesNotMatchItsKey() throws Exception {
        String id = cli.generate("a.key");
        String other = cli.generate("b.key");
        String text = Files.readString(dir.resolve("a.key"));
        Files.writeString(dir.resolve("a.key"), text.replace(id, other));

        String err = cli.run("keys", "show", cli.path("a.key")).fails().err();
        assertTrue(err.contains("is not the SHA-256 of its public key"), err);
        assertTrue(cli.run("keys", "show", cli.path("missing.key")).fails().err().contains("no such file"));
    }

    @Test
    void usageErrorsAreOneLineWithExitCodeTwo() {
        String err = cli.run("keys", "generate").usage().err();
        assertTrue(err.contains("Missing required option: '--out=FILE'") && err.contains("modelyard keys generate --help"), err);
        assertTrue(cli.run("keys").usage().err().contains("Missing required subcommand"));
        assertTrue(cli.run("root", "init", "--bogus").usage().err().contains("--bogus"));
        assertTrue(cli.run("frobnicate").usage().err().contains("frobnicate"));
    }

    @Test
    void helpGoesToStdoutWithExitCodeZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        String help = out.toString(StandardCharsets.UTF_8);
        for (String command : new String[] {"keys", "root", "trust-bundle", "verify"}) {
            assertTrue(help.contains("  " + command + " "), help);
        }
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        String next = cli.run("root", "next", "--help").ok().out();
        assertTrue(next.contains("--revoke-release=KEYID") && next.contains("--sign-with=FILE"), next);
    }
}
