package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shows that the format is plain Ed25519 over the canonical bytes by checking it with an
 * independent implementation, the {@code openssl} command line tool, following the steps in
 * docs/signing.md. Skipped, visibly, where openssl is not installed.
 */
class OpenSslInteropTest {

    private static final HexFormat HEX = HexFormat.of();
    // The DER prefixes also spelled out in docs/signing.md.
    private static final String SPKI_PREFIX = "302a300506032b6570032100";
    private static final String PKCS8_PREFIX = "302e020100300506032b657004220420";

    @TempDir
    Path dir;

    private record Result(int exit, String output) {
    }

    private static Boolean opensslPresent;

    // Per test rather than per class, so every test is reported as skipped, not just absent.
    @BeforeEach
    void requireOpenSsl() {
        if (opensslPresent == null) {
            try {
                opensslPresent = run(Path.of("."), "openssl", "version").exit() == 0;
            } catch (IOException e) {
                opensslPresent = false;
            }
        }
        assumeTrue(opensslPresent, "openssl is not on PATH; the interoperability check cannot run");
    }

    private static Result run(Path cwd, String... command) throws IOException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("openssl did not finish: " + List.of(command));
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** Writes the canonical form, the raw signature and a PEM public key, as a person would by hand. */
    private void writeInputs(SignedEnvelope envelope, byte[] rawPublicKey) throws IOException {
        Files.write(dir.resolve("canonical.json"), envelope.canonicalSigned());
        Files.write(dir.resolve("sig.bin"), envelope.signatures().get(0).bytes());
        byte[] spki = HEX.parseHex(SPKI_PREFIX + HEX.formatHex(rawPublicKey));
        Files.writeString(dir.resolve("pub.pem"), pem("PUBLIC KEY", spki));
    }

    private Result opensslVerify() throws IOException {
        return run(dir, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin",
                "-in", "canonical.json", "-sigfile", "sig.bin");
    }

    @Test
    void opensslVerifiesAReleaseSignature() throws IOException {
        SignedEnvelope envelope = SignedEnvelope.parse(Files.readAllBytes(
                Path.of("src", "test", "resources", "trust-vectors", "release-valid.json")));
        writeInputs(envelope, Ed25519.rawPublicKey(Fixtures.key("release-1").getPublic()));
        Result ok = opensslVerify();
        assertEquals(0, ok.exit(), ok.output());
        assertTrue(ok.output().contains("Signature Verified Successfully"), ok.output());

        byte[] canonical = envelope.canonicalSigned();
        canonical[canonical.length / 2] ^= 0x01;
        Files.write(dir.resolve("canonical.json"), canonical);
        Result bad = opensslVerify();
        assertNotEquals(0, bad.exit(), bad.output());
        assertTrue(bad.output().contains("Signature Verification Failure"), bad.output());
    }

    @Test
    void opensslDerivesTheSameKeyAndSignatureFromTheSeed() throws IOException {
        KeyPair pair = Fixtures.key("release-1");
        byte[] pkcs8 = HEX.parseHex(PKCS8_PREFIX + HEX.formatHex(Fixtures.seed("release-1")));
        Files.writeString(dir.resolve("priv.pem"), pem("PRIVATE KEY", pkcs8));
        SignedEnvelope envelope = Signer.of(pair).sign(new Fixtures.Release(new byte[] {42}).build());
        Files.write(dir.resolve("canonical.json"), envelope.canonicalSigned());

        Result pub = run(dir, "openssl", "pkey", "-in", "priv.pem", "-pubout", "-outform", "DER", "-out", "pub.der");
        assertEquals(0, pub.exit(), pub.output());
        assertEquals(SPKI_PREFIX + HEX.formatHex(Ed25519.rawPublicKey(pair.getPublic())),
                HEX.formatHex(Files.readAllBytes(dir.resolve("pub.der"))));

        // Ed25519 is deterministic, so an independent signer must produce the very same bytes.
        Result sign = run(dir, "openssl", "pkeyutl", "-sign", "-inkey", "priv.pem", "-rawin",
                "-in", "canonical.json", "-out", "openssl-sig.bin");
        assertEquals(0, sign.exit(), sign.output());
        byte[] opensslSig = Files.readAllBytes(dir.resolve("openssl-sig.bin"));
        assertArrayEquals(envelope.signatures().get(0).bytes(), opensslSig);
        assertTrue(Ed25519.verify(pair.getPublic(), envelope.canonicalSigned(), opensslSig));
    }
}
