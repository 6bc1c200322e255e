package dev.modelyard.server.audit;

import dev.modelyard.wire.audit.AuditEntry;
import dev.modelyard.wire.trust.CanonicalJson;
import dev.modelyard.wire.trust.JsonFormatException;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A stored audit entry. Inserted once by {@link AuditTrail#append}, never changed (the table's
 * trigger refuses it). The JSON columns are kept as text here: the hash covers their canonical
 * form, which is recomputed from whatever PostgreSQL gives back, not from these strings.
 */
@Entity
@Table(name = "audit_entry")
public class AuditRecord extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, updatable = false)
    public String tenant;

    @Column(nullable = false, updatable = false)
    public long seq;

    @Column(nullable = false, updatable = false)
    public Instant at;

    @Column(name = "actor_id", updatable = false)
    public UUID actorId;

    @Column(name = "actor_name", nullable = false, updatable = false)
    public String actorName;

    @Column(nullable = false, updatable = false)
    public String action;

    @Column(name = "target_type", updatable = false)
    public String targetType;

    @Column(name = "target_id", updatable = false)
    public String targetId;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(updatable = false)
    public String before;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(updatable = false)
    public String after;

    @Column(nullable = false, updatable = false)
    public int outcome;

    @Column(name = "request_id", nullable = false, updatable = false)
    public String requestId;

    @Column(updatable = false)
    public String source;

    @Column(name = "prev_hash", nullable = false, updatable = false)
    public String prevHash;

    @Column(nullable = false, updatable = false)
    public String hash;

    /** The entry as the chain sees it. */
    AuditEntry toEntry() {
        return new AuditEntry(tenant, seq, at, actorId == null ? null : actorId.toString(), actorName, action,
                targetType, targetId, json(before), json(after), outcome, requestId, source, prevHash, hash);
    }

    /**
     * The stored JSON as chain values. What the canonical form cannot hold (a fraction written into
     * the row by hand) stays the text it is, so the entry fails its hash instead of failing the reader.
     */
    private static Object json(String text) {
        if (text == null) return null;
        try {
            return CanonicalJson.parse(text);
        } catch (JsonFormatException e) {
            return text;
        }
    }
}
