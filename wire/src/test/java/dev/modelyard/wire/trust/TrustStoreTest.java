package dev.modelyard.wire.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.trust.VerificationException.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustStoreTest {

    // v1: root keys a+b (2 of 2); v2: b+c (2 of 2); v3: c alone.
    private static final SignedEnvelope V1 = Fixtures.signer("root-a", "root-b").sign(
            Fixtures.root(1, Fixtures.ROOT_EXPIRES, List.of("root-a", "root-b"), 2, List.of("release-1"), 1));
    private static final RootMetadata V2_DOC =
            Fixtures.root(2, Fixtures.ROOT_EXPIRES, List.of("root-b", "root-c"), 2, List.of("release-2"), 1);
    private static final SignedEnvelope V2 = Fixtures.signer("root-a", "root-b", "root-c").sign(V2_DOC);
    private static final SignedEnvelope V3 = Fixtures.signer("root-b", "root-c").sign(
            Fixtures.root(3, Fixtures.ROOT_EXPIRES, List.of("root-c"), 1, List.of("release-2"), 1));

    private static Reason reason(ThrowingAction action) {
        return assertThrows(VerificationException.class, action::run).reason();
    }

    private interface ThrowingAction {
        void run() throws Exception;
    }

    @Test
    void startsFromASelfSignedRoot() throws Exception {
        TrustStore store = new TrustStore(V1);
        assertEquals(1, store.root().version());
        assertSame(V1, store.rootEnvelope());
    }

    @Test
    void refusesAnInitialRootBelowItsOwnThreshold() {
        SignedEnvelope half = Fixtures.signer("root-a").sign(V1.signed());
        assertEquals(Reason.THRESHOLD_NOT_MET, reason(() -> new TrustStore(half)));
        SignedEnvelope stranger = Fixtures.signer("attacker").sign(V1.signed());
        assertEquals(Reason.UNKNOWN_KEY, reason(() -> new TrustStore(stranger)));
    }

    @Test
    void refusesAnInitialRootThatIsNotRootMetadata() {
        SignedEnvelope artifact = Fixtures.signer("root-a", "root-b").sign(Map.of("_type", "artifact"));
        assertEquals(Reason.WRONG_TYPE, reason(() -> new TrustStore(artifact)));
        SignedEnvelope broken = Fixtures.signer("root-a", "root-b").sign(Map.of("_type", "root", "version", 1L));
        VerificationException e = assertThrows(VerificationException.class, () -> new TrustStore(broken));
        assertEquals(Reason.MALFORMED, e.reason());
        assertEquals("initial root: root metadata: specVersion: is required", e.getMessage());
    }

    @Test
    void walksARotationChain() throws Exception {
        TrustStore store = new TrustStore(V1);
        store.updateRoots(List.of(V2, V3));
        assertEquals(3, store.root().version());
        assertEquals(List.of(Fixtures.keyId("root-c")), store.root().rootRole().keyids());
        assertSame(V3, store.rootEnvelope());
    }

    @Test
    void requiresTheOldRootsThreshold() throws Exception {
        TrustStore store = new TrustStore(V1);
        // Only the new keys: nothing the device trusts vouches for them.
        SignedEnvelope onlyNew = Fixtures.signer("root-b", "root-c").sign(V2_DOC);
        assertEquals(Reason.THRESHOLD_NOT_MET, reason(() -> store.updateRoot(onlyNew)));
        SignedEnvelope strangers = Fixtures.signer("root-c", "root-d").sign(
                Fixtures.root(2, Fixtures.ROOT_EXPIRES, List.of("root-c", "root-d"), 2, List.of("release-2"), 1));
        assertEquals(Reason.UNKNOWN_KEY, reason(() -> store.updateRoot(strangers)));
        assertEquals(1, store.root().version());
    }

    @Test
    void requiresTheNewRootsOwnThreshold() throws Exception {
        TrustStore store = new TrustStore(V1);
        // Signed by the old keys only: root-c never proved it holds its key.
        SignedEnvelope onlyOld = Fixtures.signer("root-a", "root-b").sign(V2_DOC);
        VerificationException e = assertThrows(VerificationException.class, () -> store.updateRoot(onlyOld));
        assertEquals(Reason.THRESHOLD_NOT_MET, e.reason());
        assertTrue(e.getMessage().contains("checked against its own keys"), e.getMessage());
    }

    @Test
    void requiresVersionsToGrowByExactlyOne() throws Exception {
        TrustStore store = new TrustStore(V1);
        assertEquals(Reason.ROOT_VERSION, reason(() -> store.updateRoot(V1)));
        SignedEnvelope skip = Fixtures.signer("root-a", "root-b").sign(
                Fixtures.root(3, Fixtures.ROOT_EXPIRES, List.of("root-a", "root-b"), 2, List.of("release-1"), 1));
        assertEquals(Reason.ROOT_VERSION, reason(() -> store.updateRoot(skip)));
        store.updateRoot(V2);
        // A replay of v2 after v2.
        assertEquals(Reason.ROOT_VERSION, reason(() -> store.updateRoot(V2)));
    }

    @Test
    void rejectsABadSignatureByATrustedRootKey() throws Exception {
        TrustStore store = new TrustStore(V1);
        List<Signature> sigs = new ArrayList<>(V2.signatures());
        sigs.set(0, Signature.of(sigs.get(0).keyid(), V3.signatures().get(0).bytes()));
        assertEquals(Reason.BAD_SIGNATURE, reason(() -> store.updateRoot(new SignedEnvelope(V2.signed(), sigs))));
    }

    @Test
    void stopsAChainAtTheFirstBadLinkKeepingTheGoodOnes() throws Exception {
        TrustStore store = new TrustStore(V1);
        SignedEnvelope badV3 = Fixtures.signer("root-c").sign(V3.signed());
        assertEquals(Reason.THRESHOLD_NOT_MET, reason(() -> store.updateRoots(List.of(V2, badV3))));
        assertEquals(2, store.root().version());
    }

    @Test
    void updatesAnExpiredRoot() throws Exception {
        SignedEnvelope expired = Fixtures.signer("root-a").sign(
                Fixtures.root(1, Instant.parse("2020-01-01T00:00:00Z"), List.of("root-a"), 1, List.of("release-1"), 1));
        TrustStore store = new TrustStore(expired);
        store.updateRoot(Fixtures.signer("root-a").sign(
                Fixtures.root(2, Fixtures.ROOT_EXPIRES, List.of("root-a"), 1, List.of("release-1"), 1)));
        assertEquals(Fixtures.ROOT_EXPIRES, store.root().expires());
    }
}
