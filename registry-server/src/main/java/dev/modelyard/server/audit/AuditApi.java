package dev.modelyard.server.audit;

import dev.modelyard.wire.audit.AuditChain;
import dev.modelyard.wire.audit.AuditEntry;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What the audit endpoints return. */
public final class AuditApi {

    private AuditApi() {
    }

    /**
     * One entry, with every field its hash covers, so that anyone can recompute the chain
     * (the canonical form and hash are dev.modelyard.wire.audit.AuditChain's; see docs/architecture.md).
     */
    public record EntryView(
            @Schema(description = "The tenant whose chain holds the entry") String tenant,
            @Schema(description = "Position in the tenant's chain, from 1 without gaps") long seq,
            @Schema(description = "When the call was answered (UTC, microseconds)", examples = "2026-12-01T10:15:30.123456Z") String at,
            @Schema(description = "The API token's id; null for the system", nullable = true) String actorId,
            @Schema(description = "The API token's name, or system") String actorName,
            @Schema(description = "The operation: method and path template", examples = "POST /api/v1/models/{model}/versions") String action,
            @Schema(description = "The kind of thing the call was about (the path's collection)", nullable = true, examples = "versions") String targetType,
            @Schema(description = "What it was about: the path's names joined by '/', with the created id for creations",
                    nullable = true, examples = "resnet/1.2.0") String targetId,
            @Schema(description = "State the call changed, before it: '<Entity> <id>' → changed properties (null: did not exist); secrets redacted",
                    nullable = true) Object before,
            @Schema(description = "The same state after the call (null: no longer exists)", nullable = true) Object after,
            @Schema(description = "The HTTP status the call was answered with") int outcome,
            @Schema(description = "The request id (X-Request-Id)") String requestId,
            @Schema(description = "The address of the connection the call came on", nullable = true) String source,
            @Schema(description = "Hash of the previous entry (64 zeros for the first)") String prevHash,
            @Schema(description = "SHA-256 of prevHash and this entry's canonical form, hex") String hash) {

        static EntryView of(AuditEntry e) {
            return new EntryView(e.tenant(), e.seq(), AuditEntry.formatAt(e.at()), e.actorId(), e.actorName(), e.action(),
                    e.targetType(), e.targetId(), e.before(), e.after(), e.outcome(), e.requestId(), e.source(),
                    e.prevHash(), e.hash());
        }
    }

    /** The first entry that does not check out. */
    public record BrokenView(long seq, String reason) {
    }

    public record VerifyView(
            @Schema(description = "The tenant whose chain was checked") String tenant,
            @Schema(description = "Entries read") long checked,
            @Schema(description = "True when every entry links to the one before and matches its hash") boolean intact,
            @Schema(description = "The first entry that does not; null when intact", nullable = true) BrokenView firstBroken) {

        static VerifyView of(String tenant, AuditChain.Result r) {
            return new VerifyView(tenant, r.checked(), r.intact(),
                    r.firstBroken() == null ? null : new BrokenView(r.firstBroken().seq(), r.firstBroken().reason()));
        }
    }
}
