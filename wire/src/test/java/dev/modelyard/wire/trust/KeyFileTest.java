package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

    private static final char[] PASS = "correct horse battery staple".toCharArray();

    @Test
    void plainKeyRoundTrips() {
        KeyPair pair = Ed25519.generate();
        String text = KeyFile.write(pair, null);
        assertTrue(text.contains(Ed25519.keyId(pair.getPublic())));
        assertEquals(Ed25519.keyId(pair.getPublic()), Ed25519.keyId(KeyFile.read(text, null).getPublic()));
    }

    @Test
    void encryptedKeyNeedsTheRightPassphrase() {
        KeyPair pair = Ed25519.generate();
        String text = KeyFile.write(pair, PASS, 20_000);
        String seed = Base64.getEncoder().encodeToString(Ed25519.seedOf(pair.getPrivate()));
        assertFalse(text.contains(seed), "the seed must not appear in clear");
        assertArrayEquals(Ed25519.seedOf(pair.getPrivate()), Ed25519.seedOf(KeyFile.read(text, PASS).getPrivate()));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> KeyFile.read(text, "nope".toCharArray()));
        assertTrue(wrong.getMessage().contains("wrong passphrase"));
        assertThrows(IllegalArgumentException.class, () -> KeyFile.read(text, null));
    }

    @Test
    void aMismatchedPublicKeyIsRefused() {
        String text = KeyFile.write(Ed25519.generate(), null);
        String other = Base64.getEncoder().encodeToString(Ed25519.rawPublicKey(Ed25519.generate().getPublic()));
        String tampered = text.replaceAll("\"public\": *\"[^\"]+\"", "\"public\": \"" + other + "\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyFile.read(tampered, null));
        assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    }

    @Test
    void savedFilesAreOwnerOnly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("release-key.json");
        KeyPair pair = Ed25519.generate();
        KeyFile.save(f, pair, null);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(Ed25519.keyId(pair.getPublic()), Ed25519.keyId(KeyFile.load(f, null).getPublic()));
    }

    @Test
    void seedFromEnvironment() {
        KeyPair pair = Ed25519.generate();
        String b64 = Base64.getEncoder().encodeToString(Ed25519.seedOf(pair.getPrivate()));
        assertEquals(Ed25519.keyId(pair.getPublic()), Ed25519.keyId(KeyFile.fromSeedBase64(b64 + "\n").getPublic()));
        assertThrows(IllegalArgumentException.class, () -> KeyFile.fromSeedBase64("AAAA"));
        assertThrows(IllegalArgumentException.class, () -> KeyFile.fromSeedBase64("!!"));
    }
}
