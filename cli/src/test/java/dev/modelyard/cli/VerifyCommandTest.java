package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.TargetDescriptor;
import dev.modelyard.wire.trust.ArtifactMetadata;
import dev.modelyard.wire.trust.ArtifactMetadata.ArtifactFile;
import dev.modelyard.wire.trust.KeyFile;
import dev.modelyard.wire.trust.Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {

    private static final byte[] CONTENT = "not really an onnx model, but signed like one".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    Cli cli;
    String sha256;

    @BeforeEach
    void setUp() throws Exception {
        cli = new Cli(dir);
        cli.generate("root.key");
        cli.generate("rel1.key");
        cli.run("root", "init", "--root-key", cli.path("root.key"), "--release-key", cli.path("rel1.key"),
                "--out", cli.path("1.root.json")).ok();
        cli.run("trust-bundle", "--chain", cli.path("1.root.json"), "--out", cli.path("trust-bundle.json")).ok();
        Files.write(dir.resolve("kws.onnx"), CONTENT);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CONTENT));
        release("rel1.key", "release.json", 7);
    }

    /** Release metadata for kws 1.2.0 signed with a key file, as the server would produce it. */
    private void release(String keyFile, String out, long counter) throws Exception {
        ArtifactMetadata metadata = new ArtifactMetadata("default", "kws", "1.2.0", counter,
                new ArtifactFile("kws.onnx", sha256, CONTENT.length),
                new TargetDescriptor("onnx", "onnxruntime", ">=1.17", "any", "cpu", "int8", 256, "linux"),
                Cli.NOW.minus(Duration.ofDays(1)), Cli.NOW.plus(Duration.ofDays(30)));
        Files.write(dir.resolve(out), Signer.of(KeyFile.load(dir.resolve(keyFile), null)).sign(metadata).toJsonBytes());
    }

    private Cli.Result verify(String... extra) {
        String[] base = {"verify", "--root", cli.path("trust-bundle.json"), "--metadata", cli.path("release.json"),
                "--file", cli.path("kws.onnx"), "--model", "kws"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return cli.run(args);
    }

    @Test
    void acceptsAValidRelease() {
        String out = verify().ok().out();
        assertEquals("OK default/kws 1.2.0 counter 7 sha256 " + sha256 + " (kws.onnx, " + CONTENT.length + " bytes)", out.strip());
    }

    @Test
    void refusesATamperedArtifact() throws Exception {
        byte[] tampered = CONTENT.clone();
        tampered[0] ^= 1;
        Files.write(dir.resolve("kws.onnx"), tampered);
        String err = verify().fails().err();
        assertTrue(err.startsWith("refused: DIGEST_MISMATCH: "), err);
        assertTrue(err.contains(sha256), err);
    }

    @Test
    void refusesAnArtifactOfAnotherSize() throws Exception {
        Files.write(dir.resolve("kws.onnx"), "short".getBytes(StandardCharsets.UTF_8));
        assertTrue(verify().fails().err().startsWith("refused: SIZE_MISMATCH: "));
    }

    @Test
    void refusesWhatTheDeviceWouldRefuse() {
        assertTrue(cli.run("verify", "--root", cli.path("trust-bundle.json"), "--metadata", cli.path("release.json"),
                "--file", cli.path("kws.onnx"), "--tenant", "acme", "--model", "kws").fails().err()
                .startsWith("refused: MIX_AND_MATCH: "));
        assertTrue(verify("--runtime-version", "1.16.0").fails().err().startsWith("refused: WRONG_TARGET: "));
        assertTrue(verify("--memory-mb", "128").fails().err().contains("memory 256 MB"));
        assertTrue(verify("--installed-counter", "8").fails().err().startsWith("refused: ROLLBACK: "));
        verify("--installed-counter", "7", "--arch", "aarch64", "--accelerator", "npu,cpu").ok();
        assertTrue(verify("--max-size", "10").fails().err().startsWith("refused: TOO_LARGE: "));
        assertTrue(verify("--arch", "sparc").fails().err().startsWith("error: device: arch"));
    }

    @Test
    void refusesAnExpiredRelease() {
        cli.clock = Clock.fixed(Cli.NOW.plus(Duration.ofDays(60)), ZoneOffset.UTC);
        String err = verify().fails().err();
        assertTrue(err.startsWith("refused: EXPIRED: release default/kws 1.2.0 (counter 7): expired at "), err);
        cli.clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertTrue(verify().fails().err().startsWith("refused: ROOT_EXPIRED: "));
    }

    @Test
    void refusesReleasesSignedByARevokedKey() throws Exception {
        cli.generate("rel2.key");
        cli.run("root", "next", "--previous", cli.path("1.root.json"), "--sign-with", cli.path("root.key"),
                "--release-key", cli.path("rel2.key"), "--revoke-release", cli.run("keys", "show", cli.path("rel1.key"))
                        .ok().out().lines().findFirst().orElseThrow().substring("key id:".length()).strip(),
                "--out", cli.path("2.root.json")).ok();
        cli.run("trust-bundle", "--chain", cli.path("1.root.json"), cli.path("2.root.json"),
                "--out", cli.path("trust-bundle.json")).ok();

        assertTrue(verify().fails().err().startsWith("refused: UNKNOWN_KEY: "));
        release("rel2.key", "release.json", 8);
        assertTrue(verify().ok().out().startsWith("OK default/kws 1.2.0 counter 8 "));
    }
}
