package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignerTest {

    private final ArtifactMetadata release = new Fixtures.Release(new byte[] {1, 2, 3}).build();

    @Test
    void signsTheCanonicalFormWithEveryKeyInOrder() {
        SignedEnvelope env = Fixtures.signer("release-1", "release-2").sign(release);
        assertEquals(release.toMap(), env.signed());
        assertEquals(List.of(Fixtures.keyId("release-1"), Fixtures.keyId("release-2")),
                env.signatures().stream().map(Signature::keyid).toList());
        byte[] canonical = CanonicalJson.canonicalize(release.toMap());
        assertTrue(Ed25519.verify(Fixtures.key("release-1").getPublic(), canonical, env.signatures().get(0).bytes()));
        assertTrue(Ed25519.verify(Fixtures.key("release-2").getPublic(), canonical, env.signatures().get(1).bytes()));
    }

    @Test
    void isDeterministic() {
        assertEquals(Fixtures.signer("release-1").sign(release).toJson(), Fixtures.signer("release-1").sign(release).toJson());
    }

    @Test
    void addsSignaturesOneHolderAtATime() {
        SignedEnvelope first = Fixtures.signer("root-a").sign(release);
        SignedEnvelope both = Fixtures.signer("root-b").addSignatures(first);
        assertEquals(List.of(Fixtures.keyId("root-a"), Fixtures.keyId("root-b")),
                both.signatures().stream().map(Signature::keyid).toList());
        // Signing again with the same key replaces its signature instead of repeating it.
        assertEquals(both.signatures(), Fixtures.signer("root-b").addSignatures(both).signatures());
    }

    @Test
    void refusesMismatchedDuplicateOrNoKeys() {
        KeyPair mismatched = new KeyPair(Fixtures.key("a").getPublic(), Fixtures.key("b").getPrivate());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signer.of(mismatched));
        assertTrue(e.getMessage().contains("does not match its public key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Signer.of(Fixtures.key("a"), Fixtures.key("a")));
        assertThrows(IllegalArgumentException.class, () -> new Signer(List.of()));
    }
}
