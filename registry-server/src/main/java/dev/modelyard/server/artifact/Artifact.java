package dev.modelyard.server.artifact;

import dev.modelyard.server.tenant.TenantOwned;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.wire.TargetDescriptor;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One file of a model version, built for one target. Its bytes live in the blob store under {@link #sha256}. */
@Entity
@Table(name = "artifact")
public class Artifact extends TenantOwned {

    public enum Origin { UPLOADED, CONVERTED }

    @Id
    public UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "version_id")
    public ModelVersion version;

    @Column(nullable = false)
    public String filename;

    @Column(nullable = false, columnDefinition = "bpchar(64)")
    public String sha256;

    @Column(nullable = false)
    public long size;

    @Column(name = "media_type", nullable = false)
    public String mediaType;

    @Column(nullable = false)
    public String format;

    @Column(nullable = false)
    public String runtime;

    @Column(name = "runtime_version")
    public String runtimeVersion;

    @Column(nullable = false)
    public String arch;

    @Column(nullable = false)
    public String accelerator;

    @Column(nullable = false)
    public String precision;

    @Column(name = "min_memory_mb")
    public Integer minMemoryMb;

    public String os;

    /**
     * The CPU features the file needs, sorted and comma-joined; empty when it runs on any CPU of
     * its architecture (one plain column, so it is part of the target's unique index).
     */
    @Column(name = "cpu_features", nullable = false)
    public String cpuFeatures = "";

    /** Whether a conversion profile that optimizes for speed made it; the chooser prefers such files. */
    @Column(nullable = false)
    public boolean optimized;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Origin origin = Origin.UPLOADED;

    /** For converted artifacts: what they were made from, by what, and how. */
    @Column(name = "source_artifact_id")
    public UUID sourceArtifactId;

    public String converter;

    @Column(name = "converter_version")
    public String converterVersion;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "converter_params", columnDefinition = "jsonb")
    public Map<String, Object> converterParams;

    /** Facts found in the file (format details, equivalence figures, …). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public Map<String, Object> metadata = Map.of();

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by")
    public String createdBy;

    public TargetDescriptor target() {
        return new TargetDescriptor(format, runtime, runtimeVersion, arch, accelerator, precision, minMemoryMb, os,
                features(cpuFeatures));
    }

    public void target(TargetDescriptor t) {
        format = t.format();
        runtime = t.runtime();
        runtimeVersion = t.runtimeVersion();
        arch = t.arch();
        accelerator = t.accelerator();
        precision = t.precision();
        minMemoryMb = t.minMemoryMb();
        os = t.os();
        cpuFeatures = String.join(",", t.cpuFeatures());
    }

    private static List<String> features(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }
}
