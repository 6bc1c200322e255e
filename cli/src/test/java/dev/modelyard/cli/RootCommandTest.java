package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.trust.RootMetadata;
import dev.modelyard.wire.trust.SignedEnvelope;
import dev.modelyard.wire.trust.TrustStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootCommandTest {

    @TempDir
    Path dir;
    Cli cli;
    String r1;
    String r2;
    String rel1;

    @BeforeEach
    void setUp() {
        cli = new Cli(dir);
        r1 = cli.generate("r1.key");
        r2 = cli.generate("r2.key");
        rel1 = cli.generate("rel1.key");
    }

    /** Root v1: root keys r1 and r2 with threshold 2, release key rel1. */
    private void initRoot() {
        cli.run("root", "init", "--root-key", cli.path("r1.key"), "--root-key", cli.path("r2.key"), "--root-threshold", "2",
                "--release-key", cli.path("rel1.key"), "--expires", "2027-01-01T00:00:00Z", "--out", cli.path("1.root.json")).ok();
    }

    @Test
    void initWritesASelfSignedRootVersionOne() throws Exception {
        initRoot();
        SignedEnvelope envelope = cli.envelope("1.root.json");
        RootMetadata root = new TrustStore(envelope).root();
        assertEquals(1, root.version());
        assertEquals(Instant.parse("2027-01-01T00:00:00Z"), root.expires());
        assertEquals(List.of(r1, r2), root.rootRole().keyids());
        assertEquals(2, root.rootRole().threshold());
        assertEquals(List.of(rel1), root.releaseRole().keyids());
        assertEquals(1, root.releaseRole().threshold());
        assertEquals(2, envelope.signatures().size());

        String out = cli.run("root", "verify", cli.path("1.root.json")).ok().out();
        assertTrue(out.contains("version:  1") && out.contains("expires:  2027-01-01T00:00:00Z"), out);
        assertTrue(out.contains("root keys (threshold 2 of 2):\n  " + r1 + "\n  " + r2), out);
        assertTrue(out.contains("release keys (threshold 1 of 1):\n  " + rel1), out);
    }

    @Test
    void initTakesTheReleaseKeyAsPublicKeyAndExpiryInDays() throws Exception {
        cli.run("root", "init", "--root-key", cli.path("r1.key"), "--release-public", cli.publicKey("rel1.key"),
                "--expires", "30d", "--out", cli.path("1.root.json")).ok();
        RootMetadata root = cli.root("1.root.json");
        assertEquals(List.of(rel1), root.releaseRole().keyids());
        assertEquals(List.of(r1), root.rootRole().keyids());
        assertEquals(Cli.NOW.plus(Duration.ofDays(30)), root.expires());
    }

    @Test
    void initReadsOnlyThePublicPartOfAnEncryptedReleaseKey() throws Exception {
        Files.writeString(dir.resolve("server-pass"), "server secret\n");
        String rel = cli.run("keys", "generate", "--out", cli.path("server.key"), "--passphrase-file", cli.path("server-pass"))
                .ok().out().strip();
        cli.run("root", "init", "--root-key", cli.path("r1.key"), "--release-key", cli.path("server.key"),
                "--out", cli.path("1.root.json")).ok();
        assertEquals(List.of(rel), cli.root("1.root.json").releaseRole().keyids());
    }

    @Test
    void initRefusesBadInput() {
        String err = cli.run("root", "init", "--root-key", cli.path("r1.key"), "--out", cli.path("1.root.json")).fails().err();
        assertTrue(err.contains("at least one --release-key or --release-public"), err);
        err = cli.run("root", "init", "--root-key", cli.path("r1.key"), "--release-key", cli.path("rel1.key"),
                "--root-threshold", "2", "--out", cli.path("1.root.json")).fails().err();
        assertTrue(err.contains("roles.root.threshold") && err.contains("got 2"), err);
        err = cli.run("root", "init", "--root-key", cli.path("r1.key"), "--release-key", cli.path("rel1.key"),
                "--expires", "2026-01-01T00:00:00Z", "--out", cli.path("1.root.json")).fails().err();
        assertTrue(err.contains("--expires: 2026-01-01T00:00:00Z is not in the future"), err);
        err = cli.run("root", "init", "--root-key", cli.path("r1.key"), "--release-key", cli.path("rel1.key"),
                "--expires", "next year", "--out", cli.path("1.root.json")).fails().err();
        assertTrue(err.contains("--expires: 'next year'"), err);
        assertFalse(Files.exists(dir.resolve("1.root.json")));
    }

    @Test
    void rotatesRootKeysRevokesAReleaseKeyAndExportsTheBundle() throws Exception {
        initRoot();
        String r3 = cli.generate("r3.key");
        String r4 = cli.generate("r4.key");

        // v2: new root keys r3, r4, signed by the old threshold (r1, r2) and the new one (r3, r4).
        cli.run("root", "next", "--previous", cli.path("1.root.json"),
                "--sign-with", cli.path("r1.key"), "--sign-with", cli.path("r2.key"),
                "--sign-with", cli.path("r3.key"), "--sign-with", cli.path("r4.key"),
                "--root-key", cli.path("r3.key"), "--root-key", cli.path("r4.key"),
                "--out", cli.path("2.root.json")).ok();
        RootMetadata v2 = cli.root("2.root.json");
        assertEquals(2, v2.version());
        assertEquals(List.of(r3, r4), v2.rootRole().keyids());
        assertEquals(2, v2.rootRole().threshold());
        assertEquals(List.of(rel1), v2.releaseRole().keyids());
        assertEquals(Cli.NOW.plus(Duration.ofDays(365)), v2.expires());
        cli.run("root", "verify", cli.path("1.root.json"), cli.path("2.root.json")).ok();

        // v3: add rel2, revoke rel1; only the v2 root keys sign.
        String rel2 = cli.generate("rel2.key");
        cli.run("root", "next", "--previous", cli.path("2.root.json"),
                "--sign-with", cli.path("r3.key"), "--sign-with", cli.path("r4.key"),
                "--release-key", cli.path("rel2.key"), "--revoke-release", rel1,
                "--out", cli.path("3.root.json")).ok();
        RootMetadata v3 = cli.root("3.root.json");
        assertEquals(List.of(rel2), v3.releaseRole().keyids());
        assertEquals(List.of(r3, r4), v3.rootRole().keyids());
        assertFalse(v3.keys().containsKey(rel1));

        String out = cli.run("root", "verify", cli.path("1.root.json"), cli.path("2.root.json"), cli.path("3.root.json"))
                .ok().out();
        assertTrue(out.contains("version:  3") && out.contains("release keys (threshold 1 of 1):\n  " + rel2), out);

        cli.run("trust-bundle", "--chain", cli.path("1.root.json"), cli.path("2.root.json"), cli.path("3.root.json"),
                "--out", cli.path("trust-bundle.json")).ok();
        assertArrayEquals(Files.readAllBytes(dir.resolve("3.root.json")), Files.readAllBytes(dir.resolve("trust-bundle.json")));

        // A chain with a gap is refused: v3 does not follow v1.
        String err = cli.run("trust-bundle", "--chain", cli.path("1.root.json"), cli.path("3.root.json"),
                "--out", cli.path("gap.json")).fails().err();
        assertTrue(err.startsWith("refused: "), err);
        assertFalse(Files.exists(dir.resolve("gap.json")));
    }

    @Test
    void refusesARotationSignedOnlyByTheNewKeysAndWritesNothing() throws Exception {
        initRoot();
        cli.generate("r3.key");
        cli.generate("r4.key");
        String err = cli.run("root", "next", "--previous", cli.path("1.root.json"),
                "--sign-with", cli.path("r3.key"), "--sign-with", cli.path("r4.key"),
                "--root-key", cli.path("r3.key"), "--root-key", cli.path("r4.key"),
                "--out", cli.path("2.root.json")).fails().err();
        assertTrue(err.startsWith("error: root v2 not written: the root threshold of the previous root v1 (2 of 2) is not met"), err);
        assertTrue(err.contains("0 valid signature(s), 2 more needed from " + r1 + ", " + r2), err);
        assertFalse(err.contains("new root v2"), err);
        assertFalse(Files.exists(dir.resolve("2.root.json")));
    }

    @Test
    void refusesARotationMissingANewKeyAndNamesIt() throws Exception {
        initRoot();
        cli.generate("r3.key");
        String r4 = cli.generate("r4.key");
        String err = cli.run("root", "next", "--previous", cli.path("1.root.json"),
                "--sign-with", cli.path("r1.key"), "--sign-with", cli.path("r2.key"), "--sign-with", cli.path("r3.key"),
                "--root-key", cli.path("r3.key"), "--root-key", cli.path("r4.key"),
                "--out", cli.path("2.root.json")).fails().err();
        assertTrue(err.contains("the root threshold of the new root v2 (2 of 2) is not met: 1 valid signature(s), 1 more needed from " + r4), err);
        assertFalse(err.contains("previous root v1"), err);
        assertFalse(Files.exists(dir.resolve("2.root.json")));
    }

    @Test
    void keyHoldersSignOneAfterAnother() throws Exception {
        // v1 lists r2 by its public key only; r2's holder signs afterwards.
        cli.run("root", "init", "--root-key", cli.path("r1.key"), "--root-public", cli.publicKey("r2.key"),
                "--root-threshold", "2", "--release-key", cli.path("rel1.key"), "--out", cli.path("1.root.json"), "--partial").ok();
        String err = cli.run("root", "verify", cli.path("1.root.json")).fails().err();
        assertTrue(err.startsWith("refused: THRESHOLD_NOT_MET: "), err);

        String out = cli.run("root", "sign", "--in", cli.path("1.root.json"), "--key", cli.path("r2.key"),
                "--out", cli.path("1.root.json")).ok().out();
        assertTrue(out.contains("complete: root v1 is self-signed"), out);
        cli.run("root", "verify", cli.path("1.root.json")).ok();

        // v2 adds a release key; r1 starts it, r2 completes it.
        String rel2 = cli.generate("rel2.key");
        Cli.Result partial = cli.run("root", "next", "--previous", cli.path("1.root.json"), "--sign-with", cli.path("r1.key"),
                "--release-public", cli.publicKey("rel2.key"), "--out", cli.path("2.root.json"), "--partial").ok();
        assertTrue(partial.err().contains("1 more needed from " + r2), partial.err());
        out = cli.run("root", "sign", "--in", cli.path("2.root.json"), "--key", cli.path("r2.key"),
                "--previous", cli.path("1.root.json"), "--out", cli.path("2.root.json")).ok().out();
        assertTrue(out.contains("complete: root v1 accepts root v2"), out);
        cli.run("root", "verify", cli.path("1.root.json"), cli.path("2.root.json")).ok();
        assertEquals(List.of(rel1, rel2), cli.root("2.root.json").releaseRole().keyids());
    }

    @Test
    void signRefusesAKeyThatIsNotARootKey() throws Exception {
        initRoot();
        byte[] before = Files.readAllBytes(dir.resolve("1.root.json"));
        String err = cli.run("root", "sign", "--in", cli.path("1.root.json"), "--key", cli.path("rel1.key"),
                "--out", cli.path("1.root.json")).fails().err();
        assertTrue(err.contains("key " + rel1 + " is not a root key of v1"), err);
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("1.root.json")));
    }

    @Test
    void revokingAnUnknownOrTheLastReleaseKeyIsRefused() {
        initRoot();
        String unknown = "0".repeat(64);
        String err = cli.run("root", "next", "--previous", cli.path("1.root.json"), "--sign-with", cli.path("r1.key"),
                "--sign-with", cli.path("r2.key"), "--revoke-release", unknown, "--out", cli.path("2.root.json")).fails().err();
        assertTrue(err.contains(unknown + " is not a release key of root v1"), err);
        err = cli.run("root", "next", "--previous", cli.path("1.root.json"), "--sign-with", cli.path("r1.key"),
                "--sign-with", cli.path("r2.key"), "--revoke-release", rel1, "--out", cli.path("2.root.json")).fails().err();
        assertTrue(err.contains("no release key left"), err);
        assertFalse(Files.exists(dir.resolve("2.root.json")));
    }

    @Test
    void wrongOrMissingPassphraseIsRefused() throws Exception {
        Files.writeString(dir.resolve("pass"), "right\n");
        Files.writeString(dir.resolve("wrong"), "wrong\n");
        cli.run("keys", "generate", "--out", cli.path("enc.key"), "--passphrase-file", cli.path("pass")).ok();

        String err = cli.run("root", "init", "--root-key", cli.path("enc.key"), "--release-key", cli.path("rel1.key"),
                "--out", cli.path("1.root.json"), "--passphrase-file", cli.path("wrong")).fails().err();
        assertTrue(err.contains("enc.key: wrong passphrase"), err);
        err = cli.run("root", "init", "--root-key", cli.path("enc.key"), "--release-key", cli.path("rel1.key"),
                "--out", cli.path("1.root.json")).fails().err();
        assertTrue(err.contains("enc.key: the key is encrypted; give its passphrase"), err);
        assertFalse(Files.exists(dir.resolve("1.root.json")));

        // One passphrase for all keys of a command: the plain release key file does not need it.
        cli.run("root", "init", "--root-key", cli.path("enc.key"), "--release-key", cli.path("rel1.key"),
                "--out", cli.path("1.root.json"), "--passphrase-file", cli.path("pass")).ok();
        cli.run("root", "verify", cli.path("1.root.json")).ok();
    }

    @Test
    void aTamperedRootFileIsRefused() throws Exception {
        initRoot();
        Path file = dir.resolve("1.root.json");
        String text = Files.readString(file);
        Files.writeString(file, text.replace("2027-01-01T00:00:00Z", "2099-01-01T00:00:00Z"));

        String err = cli.run("root", "verify", cli.path("1.root.json")).fails().err();
        assertTrue(err.startsWith("refused: BAD_SIGNATURE: "), err);
        assertTrue(err.contains("1.root.json"), err);
        err = cli.run("trust-bundle", "--chain", cli.path("1.root.json"), "--out", cli.path("bundle.json")).fails().err();
        assertTrue(err.startsWith("refused: BAD_SIGNATURE: "), err);
        assertFalse(Files.exists(dir.resolve("bundle.json")));

        Files.writeString(file, "{\"signed\": {}");
        assertTrue(cli.run("root", "verify", cli.path("1.root.json")).fails().err().startsWith("error: "));
    }

    @Test
    void trustBundleRefusesAnExpiredRoot() {
        initRoot();
        cli.clock = Clock.fixed(Instant.parse("2027-02-01T00:00:00Z"), ZoneOffset.UTC);
        Cli.Result verified = cli.run("root", "verify", cli.path("1.root.json")).ok();
        assertTrue(verified.err().contains("expired at 2027-01-01T00:00:00Z"), verified.err());
        String err = cli.run("trust-bundle", "--chain", cli.path("1.root.json"), "--out", cli.path("bundle.json")).fails().err();
        assertTrue(err.contains("root v1 expired at 2027-01-01T00:00:00Z"), err);
        assertFalse(Files.exists(dir.resolve("bundle.json")));
    }
}
