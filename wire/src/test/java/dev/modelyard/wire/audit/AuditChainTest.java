package dev.modelyard.wire.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.wire.trust.JsonFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:15:30.123456789Z");

    private static AuditEntry entry(long seq, String prevHash, Object before, Object after) {
        return new AuditEntry("default", seq, AT, "7c9e6679-7425-40de-944b-e07fc1f90ae7", "ci", "POST /api/v1/models",
                "models", "resnet", before, after, 201, "req-1", "127.0.0.1", prevHash, null);
    }

    private static AuditEntry sealed(AuditEntry e) {
        return new AuditEntry(e.tenant(), e.seq(), e.at(), e.actorId(), e.actorName(), e.action(), e.targetType(),
                e.targetId(), e.before(), e.after(), e.outcome(), e.requestId(), e.source(), e.prevHash(),
                AuditChain.hash(e.prevHash(), e));
    }

    /** The canonical form, spelled out: sorted keys, no whitespace, time in microseconds, hashes left out. */
    @Test
    void canonicalFormTable() {
        record Row(AuditEntry entry, String canonical) {
        }
        List<Row> table = List.of(
                new Row(entry(1, AuditChain.GENESIS, null, Map.of("Model resnet", Map.of("name", "resnet", "size", 3L))),
                        "{\"action\":\"POST /api/v1/models\",\"actorId\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\","
                                + "\"actorName\":\"ci\",\"after\":{\"Model resnet\":{\"name\":\"resnet\",\"size\":3}},"
                                + "\"at\":\"2026-12-01T10:15:30.123456Z\",\"before\":null,\"outcome\":201,"
                                + "\"requestId\":\"req-1\",\"seq\":1,\"source\":\"127.0.0.1\",\"targetId\":\"resnet\","
                                + "\"targetType\":\"models\",\"tenant\":\"default\"}"),
                new Row(new AuditEntry("t\u00e9", 2, Instant.parse("2026-01-02T03:04:05Z"), null, "system", "DELETE /rest/v1/targets/{targetId}",
                        null, null, Map.of("a", List.of(true, "x\n")), null, 403, "r", null, "ab", null),
                        "{\"action\":\"DELETE /rest/v1/targets/{targetId}\",\"actorId\":null,\"actorName\":\"system\","
                                + "\"after\":null,\"at\":\"2026-01-02T03:04:05.000000Z\",\"before\":{\"a\":[true,\"x\\n\"]},"
                                + "\"outcome\":403,\"requestId\":\"r\",\"seq\":2,\"source\":null,\"targetId\":null,"
                                + "\"targetType\":null,\"tenant\":\"t\u00e9\"}"));
        for (Row row : table) {
            assertEquals(row.canonical(), new String(AuditChain.canonical(row.entry()), StandardCharsets.UTF_8));
        }
    }

    /**
     * A fixed vector, so that any other implementation can check itself against this one: the
     * SHA-256 of 64 zeros followed by the canonical form gives the same (e.g. with sha256sum).
     */
    @Test
    void hashIsSha256OfThePreviousHashAndTheCanonicalForm() {
        AuditEntry first = entry(1, AuditChain.GENESIS, null, null);
        assertEquals("efd266540828f9d0e7444f9de627159972feca5604ae23e65dc6c80c175fc4a8", AuditChain.hash(AuditChain.GENESIS, first));
    }

    @Test
    void anIntactChainChecksOut() {
        List<AuditEntry> chain = chain(5);
        AuditChain.Verifier v = AuditChain.verifier();
        chain.forEach(v::accept);
        assertTrue(v.result().intact());
        assertEquals(5, v.result().checked());
    }

    @Test
    void aChangedEntryIsTheFirstBrokenOne() {
        List<AuditEntry> chain = chain(5);
        AuditEntry e = chain.get(2);
        chain.set(2, new AuditEntry(e.tenant(), e.seq(), e.at(), e.actorId(), "someone-else", e.action(), e.targetType(),
                e.targetId(), e.before(), e.after(), e.outcome(), e.requestId(), e.source(), e.prevHash(), e.hash()));
        assertEquals(new AuditChain.Broken(3, "its content does not match its hash"), check(chain).firstBroken());
    }

    @Test
    void aChangedEntryWithARecomputedHashBreaksTheNextOne() {
        List<AuditEntry> chain = chain(5);
        AuditEntry e = chain.get(2);
        chain.set(2, sealed(new AuditEntry(e.tenant(), e.seq(), e.at(), e.actorId(), e.actorName(), e.action(), e.targetType(),
                e.targetId(), e.before(), e.after(), 200, e.requestId(), e.source(), e.prevHash(), null)));
        AuditChain.Result result = check(chain);
        assertEquals(4, result.firstBroken().seq());
        assertEquals(5, result.checked());
    }

    @Test
    void aRemovedEntryBreaksTheChainWhereItWas() {
        List<AuditEntry> chain = chain(5);
        chain.remove(1);
        assertEquals(new AuditChain.Broken(3, "entries 2 to 2 are missing"), check(chain).firstBroken());
    }

    @Test
    void aChainMustStartAtTheGenesis() {
        List<AuditEntry> chain = chain(3);
        chain.remove(0);
        assertEquals(2, check(chain).firstBroken().seq());
    }

    @Test
    void anEmptyChainIsIntact() {
        assertNull(AuditChain.verifier().result().firstBroken());
    }

    @Test
    void valuesOutsideTheCanonicalSubsetAreRefused() {
        assertThrows(JsonFormatException.class, () -> AuditChain.canonical(entry(1, AuditChain.GENESIS, Map.of("x", 1.5), null)));
    }

    private static AuditChain.Result check(List<AuditEntry> chain) {
        AuditChain.Verifier v = AuditChain.verifier();
        chain.forEach(v::accept);
        return v.result();
    }

    private static List<AuditEntry> chain(int n) {
        List<AuditEntry> out = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int i = 1; i <= n; i++) {
            AuditEntry e = sealed(entry(i, prev, Map.of("n", (long) i), null));
            out.add(e);
            prev = e.hash();
        }
        return out;
    }
}
