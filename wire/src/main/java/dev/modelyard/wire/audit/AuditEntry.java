package dev.modelyard.wire.audit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a tenant's audit trail, as the server stores it and the API returns it.
 *
 * @param seq       position in the tenant's chain, from 1 without gaps
 * @param at        when the call was answered, in microseconds (what PostgreSQL keeps)
 * @param actorId   the API token's id, or null for the system
 * @param actorName the API token's name, or {@code system}
 * @param action    the operation: {@code METHOD /path/{template}}
 * @param before    the state the call changed, before it (JSON values of {@link dev.modelyard.wire.trust.CanonicalJson}); null when nothing changed
 * @param after     the same state after the call
 * @param outcome   the HTTP status code the call was answered with
 * @param source    the address of the connection the call came on
 * @param prevHash  the hash of the previous entry; {@link AuditChain#GENESIS} for the first
 * @param hash      {@link AuditChain#hash(String, AuditEntry)} of this entry
 */
public record AuditEntry(String tenant, long seq, Instant at, String actorId, String actorName, String action,
                         String targetType, String targetId, Object before, Object after, int outcome,
                         String requestId, String source, String prevHash, String hash) {

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The entry's time as hashed and shown: UTC, always six fraction digits. */
    public static String formatAt(Instant at) {
        return AT.format(at.truncatedTo(ChronoUnit.MICROS));
    }

    /** Parses {@link #formatAt}'s form (and any ISO-8601 instant). */
    public static Instant parseAt(String text) {
        return Instant.parse(text);
    }

    /** The fields the hash covers, as a JSON object; everything but the two hashes themselves. */
    Map<String, Object> hashedFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tenant", tenant);
        m.put("seq", seq);
        m.put("at", formatAt(at));
        m.put("actorId", actorId);
        m.put("actorName", actorName);
        m.put("action", action);
        m.put("targetType", targetType);
        m.put("targetId", targetId);
        m.put("before", before);
        m.put("after", after);
        m.put("outcome", (long) outcome);
        m.put("requestId", requestId);
        m.put("source", source);
        return m;
    }
}
