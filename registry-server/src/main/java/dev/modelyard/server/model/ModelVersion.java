package dev.modelyard.server.model;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import dev.modelyard.wire.IoSignature;
import jakarta.persistence.Basic;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One semantic version of a model. Its files and description freeze when it is published. */
@Entity
@Table(name = "model_version")
public class ModelVersion extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id")
    public Model model;

    @Column(nullable = false)
    public String version;

    /** {@link dev.modelyard.wire.SemVer#sortKey()}: orders versions by precedence in SQL. */
    @Column(name = "sort_key", nullable = false)
    public String sortKey;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public VersionStatus status = VersionStatus.DRAFT;

    public String changelog;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public Map<String, Double> metrics = Map.of();

    /** Where the version came from: training run, data set, source commit, … */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public Map<String, Object> lineage = Map.of();

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "io_signature", columnDefinition = "jsonb")
    public IoSignature ioSignature;

    /** Inputs and expected outputs a device runs before it swaps this version in. Large: read only when used. */
    @Basic(fetch = FetchType.LAZY)
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "self_test", columnDefinition = "jsonb")
    public Map<String, Object> selfTest;

    /** The self-test document's bytes as devices get them, fixed at publication. */
    @Basic(fetch = FetchType.LAZY)
    @Column(name = "self_test_document")
    public String selfTestDocument;

    @Column(name = "self_test_sha256")
    public String selfTestSha256;

    /** The model's release counter at publication: what devices compare to refuse rollbacks. */
    @Column(name = "release_counter")
    public Long releaseCounter;

    @Column(name = "published_at")
    public Instant publishedAt;
}
