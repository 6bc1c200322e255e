package dev.modelyard.server.desiredstate;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An object a manifest set manages: by which source, from which revision, and the spec last applied. */
@Entity
@Table(name = "managed_object")
public class ManagedObject extends TenantOwned {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String kind;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String source;

    public String revision;

    /** The manifest's spec as last applied (canonical JSON). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public String spec;

    @Column(name = "spec_hash", nullable = false)
    public String specHash;

    @Column(name = "applied_at", nullable = false)
    public Instant appliedAt;

    @Column(name = "applied_by", nullable = false)
    public String appliedBy;

    static Optional<ManagedObject> find(String kind, String name) {
        return find("kind = ?1 and name = ?2", kind, name).firstResultOptional();
    }

    static List<ManagedObject> bySource(String source) {
        return list("source = ?1 order by kind, name", source);
    }
}
