package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Ed25519Test {

    private static final HexFormat HEX = HexFormat.of();

    // RFC 8032 section 7.1, TEST 1 (empty message), TEST 2 (one byte) and TEST 3 (two bytes).
    @ParameterizedTest
    @CsvSource({
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60,"
                    + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a,,"
                    + "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb,"
                    + "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c,72,"
                    + "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7,"
                    + "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025,af82,"
                    + "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    })
    void matchesRfc8032Vectors(String seed, String publicKey, String message, String signature) {
        byte[] msg = message == null ? new byte[0] : HEX.parseHex(message);
        KeyPair pair = Ed25519.keyPairFromSeed(HEX.parseHex(seed));
        assertEquals(publicKey, HEX.formatHex(Ed25519.rawPublicKey(pair.getPublic())));
        assertEquals(signature, HEX.formatHex(Ed25519.sign(pair.getPrivate(), msg)));
        assertEquals(signature, HEX.formatHex(Ed25519.sign(Ed25519.privateKeyFromSeed(HEX.parseHex(seed)), msg)));
        assertTrue(Ed25519.verify(Ed25519.publicKeyFromRaw(HEX.parseHex(publicKey)), msg, HEX.parseHex(signature)));
        assertArrayEquals(HEX.parseHex(seed), Ed25519.seedOf(pair.getPrivate()));
    }

    @Test
    void keyIdIsSha256OfTheRawPublicKey() {
        byte[] raw = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        String expected = HEX.formatHex(Ed25519.sha256(raw));
        assertEquals(expected, Ed25519.keyId(raw));
        assertEquals(expected, Ed25519.keyId(Ed25519.publicKeyFromRaw(raw)));
        assertTrue(expected.matches("[0-9a-f]{64}"));
    }

    @Test
    void rawPublicKeyRoundTrips() {
        PublicKey key = Ed25519.generate().getPublic();
        byte[] raw = Ed25519.rawPublicKey(key);
        assertEquals(32, raw.length);
        assertEquals(key, Ed25519.publicKeyFromRaw(raw));
    }

    @Test
    void verifyRejectsOtherMessagesKeysAndMalformedSignatures() {
        KeyPair pair = Ed25519.generate();
        byte[] msg = "metadata".getBytes(StandardCharsets.UTF_8);
        byte[] sig = Ed25519.sign(pair.getPrivate(), msg);
        assertTrue(Ed25519.verify(pair.getPublic(), msg, sig));
        assertFalse(Ed25519.verify(pair.getPublic(), "metadatA".getBytes(StandardCharsets.UTF_8), sig));
        assertFalse(Ed25519.verify(Ed25519.generate().getPublic(), msg, sig));
        byte[] flipped = sig.clone();
        flipped[10] ^= 1;
        assertFalse(Ed25519.verify(pair.getPublic(), msg, flipped));
        assertFalse(Ed25519.verify(pair.getPublic(), msg, Arrays.copyOf(sig, 63)));
        assertFalse(Ed25519.verify(pair.getPublic(), msg, Arrays.copyOf(sig, 65)));
        assertFalse(Ed25519.verify(pair.getPublic(), msg, null));
        // S >= group order: a malleated signature must not verify.
        byte[] highS = sig.clone();
        Arrays.fill(highS, 32, 64, (byte) 0xff);
        assertFalse(Ed25519.verify(pair.getPublic(), msg, highS));
    }

    @Test
    void differentSeedsGiveDifferentKeys() {
        assertNotEquals(Ed25519.keyId(Fixtures.key("a").getPublic()), Ed25519.keyId(Fixtures.key("b").getPublic()));
        assertEquals(Ed25519.keyId(Fixtures.key("a").getPublic()), Ed25519.keyId(Fixtures.key("a").getPublic()));
    }

    @Test
    void rejectsWrongLengths() {
        assertThrows(IllegalArgumentException.class, () -> Ed25519.keyPairFromSeed(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.privateKeyFromSeed(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.publicKeyFromRaw(new byte[16]));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.keyId(new byte[31]));
    }
}
