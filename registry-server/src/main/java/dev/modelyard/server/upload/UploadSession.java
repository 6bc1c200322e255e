package dev.modelyard.server.upload;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.wire.TargetDescriptor;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A resumable upload in progress: where it will go, and how many bytes have arrived durably. */
@Entity
@Table(name = "upload_session")
public class UploadSession extends TenantOwnedRecord {

    @Id
    public UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "version_id")
    public ModelVersion version;

    @Column(nullable = false)
    public String filename;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public TargetDescriptor target;

    /** Bytes received and fsynced so far: the offset the next append must start at. */
    @Column(name = "received", nullable = false)
    public long received;

    /** The staging directory holding the bytes ({@code StagingArea.id()}); null until the first append. */
    @Column(name = "staging_id")
    public String stagingId;

    /** The replica whose request is appending or finishing right now; written only by claims (native updates). */
    @Column(name = "appending_by", insertable = false, updatable = false)
    public String appendingBy;

    /** When that replica last renewed its claim. */
    @Column(name = "appending_at", insertable = false, updatable = false)
    public java.time.Instant appendingAt;
}
