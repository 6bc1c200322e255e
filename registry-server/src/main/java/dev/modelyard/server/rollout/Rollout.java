package dev.modelyard.server.rollout;

import dev.modelyard.server.deployment.ActionType;
import dev.modelyard.server.model.Model;
import dev.modelyard.server.model.ModelVersion;
import dev.modelyard.server.tenant.TenantOwnedRecord;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
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
import org.hibernate.annotations.ColumnTransformer;

/** A rollout: what it sends to which devices, how (its spec), and where it stands. */
@Entity
@Table(name = "rollout")
public class Rollout extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    public String description;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "model_id")
    public Model model;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "version_id")
    public ModelVersion version;

    /** The version as the request named it: a number, an alias or latest. */
    @Column(nullable = false)
    public String requested;

    @Column(nullable = false)
    public String filter;

    @Column(name = "group_name")
    public String groupName;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ActionType type;

    @Column(name = "low_precision", nullable = false)
    public boolean lowPrecision;

    /** {@link RolloutSpec.Options} as JSON. */
    @Column(columnDefinition = "jsonb", nullable = false)
    @ColumnTransformer(write = "?::jsonb")
    public String spec;

    @Column(nullable = false)
    public boolean approval;

    @Column(nullable = false)
    public boolean dynamic;

    @Column(name = "max_devices")
    public Integer maxDevices;

    @Convert(converter = RolloutState.Converter.class)
    @Column(nullable = false)
    public RolloutState state;

    @Column(name = "state_reason")
    public String stateReason;

    @Column(name = "approved_by")
    public String approvedBy;

    @Column(name = "approved_at")
    public Instant approvedAt;

    @Column(name = "current_phase", nullable = false)
    public int currentPhase;

    @Column(name = "total_devices")
    public Integer totalDevices;

    @Column(name = "rate_window_start")
    public Instant rateWindowStart;

    @Column(name = "rate_window_count", nullable = false)
    public int rateWindowCount;

    @Column(name = "budget_base_executed", nullable = false)
    public int budgetBaseExecuted;

    @Column(name = "budget_base_failed", nullable = false)
    public int budgetBaseFailed;

    @Column(name = "cleanup_pending", nullable = false)
    public boolean cleanupPending;

    @Column(name = "last_sample_at")
    public Instant lastSampleAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
