package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in-process with a fixed clock and a private environment, capturing its output. */
final class Cli {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    final Path dir;
    final Map<String, String> env = new HashMap<>();
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    Cli(Path dir) {
        this.dir = dir;
        // Never the user's own contexts: each test has its config file in its directory.
        env.put("MODELYARD_CONFIG", dir.resolve("config").resolve("config.yaml").toString());
    }

    record Result(int code, String out, String err) {

        Result ok() {
            assertEquals(0, code, () -> "expected success, got exit " + code + "\nstdout: " + out + "\nstderr: " + err);
            return this;
        }

        /** Exit code 1 and exactly one line on stderr (and a hint line for a refusal), without a stack trace. */
        Result fails() {
            return failsWith(1);
        }

        /** Exit code 2 (the command line could not be parsed) and one line on stderr. */
        Result usage() {
            return failsWith(Main.USAGE);
        }

        private Result failsWith(int expected) {
            assertEquals(expected, code, () -> "expected exit " + expected + ", got exit " + code + "\nstdout: " + out + "\nstderr: " + err);
            long lines = err.lines().count();
            boolean hinted = lines == 2 && err.lines().skip(1).findFirst().orElse("").startsWith("hint: ");
            assertTrue(lines == 1 || hinted, () -> "expected one error line (and a hint), got: " + err);
            assertTrue(err.startsWith("error: ") || err.startsWith("refused: "), () -> "expected an error line: " + err);
            assertFalse(err.contains("\tat ") || err.contains("Exception"), () -> "stack trace or exception name: " + err);
            return this;
        }
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env::get, clock);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A path in the test directory, as a string argument. */
    String path(String name) {
        return dir.resolve(name).toString();
    }

    /** Generates a key file without a passphrase and returns its key id. */
    String generate(String name) {
        String id = run("keys", "generate", "--out", path(name)).ok().out().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), id);
        return id;
    }

    String publicKey(String keyFile) {
        String out = run("keys", "show", path(keyFile)).ok().out();
        return out.lines().filter(l -> l.startsWith("public key:")).findFirst().orElseThrow()
                .substring("public key:".length()).strip();
    }

    SignedEnvelope envelope(String name) throws IOException {
        return SignedEnvelope.parse(Files.readAllBytes(dir.resolve(name)));
    }

    RootMetadata root(String name) throws IOException {
        return RootMetadata.fromMap(envelope(name).signed());
    }
}
