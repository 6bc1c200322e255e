package dev.modelyard.server.deployment;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import dev.modelyard.server.model.Model;
import dev.modelyard.server.model.ModelVersion;
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
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;

/** One model version assigned to one device, with the artifact chosen for it. */
@Entity
@Table(name = "action")
@DynamicUpdate
public class Action extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "device_id", nullable = false)
    public Long deviceId;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id")
    public Model model;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "version_id")
    public ModelVersion version;

    /** What was asked for: a version number, an alias or latest. */
    @Column(nullable = false)
    public String requested;

    @Column(name = "artifact_id")
    public UUID artifactId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ActionType type;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ActionState status;

    @Column(nullable = false)
    public boolean active;

    @Column(name = "low_precision", nullable = false)
    public boolean lowPrecision;

    /** Why the action failed or was canceled. */
    public String reason;

    /** The rollout that created the action; null for a plain deployment. */
    @Column(name = "rollout_id")
    public Long rolloutId;

    @Column(name = "maintenance_schedule")
    public String maintenanceSchedule;

    @Column(name = "maintenance_duration_seconds")
    public Integer maintenanceDurationSeconds;

    /** Null: the zone the device reports. */
    @Column(name = "maintenance_zone")
    public String maintenanceZone;

    /** The signed envelope (JSON) that lets the device install this older release; null for none. */
    @Column(name = "rollback_authorization")
    public String rollbackAuthorization;

    /**
     * How the device got the payload, as its newest feedback with a transfer report said (null:
     * none yet): full, compressed or delta, the encoder, the bytes it downloaded and the payload's
     * size, and why it gave up a cheaper way.
     */
    @Column(name = "transfer_kind")
    public String transferKind;

    @Column(name = "transfer_method")
    public String transferMethod;

    @Column(name = "transfer_bytes")
    public Long transferBytes;

    @Column(name = "transfer_full_bytes")
    public Long transferFullBytes;

    @Column(name = "transfer_fallback")
    public String transferFallback;

    /** The action's maintenance window, or null when the update step may run at any time. */
    public MaintenanceWindow maintenanceWindow() {
        return maintenanceSchedule == null ? null
                : new MaintenanceWindow(maintenanceSchedule, java.time.Duration.ofSeconds(maintenanceDurationSeconds), maintenanceZone);
    }
}
