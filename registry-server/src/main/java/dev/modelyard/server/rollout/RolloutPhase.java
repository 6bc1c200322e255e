package dev.modelyard.server.rollout;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.ColumnTransformer;

/** One phase (wave) of a rollout. */
@Entity
@Table(name = "rollout_phase")
public class RolloutPhase extends TenantOwned {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "rollout_id", nullable = false)
    public long rolloutId;

    @Column(name = "idx", nullable = false)
    public int index;

    @Column(nullable = false)
    public String name;

    /** {@link RolloutSpec.Phase} as JSON. */
    @Column(columnDefinition = "jsonb", nullable = false)
    @ColumnTransformer(write = "?::jsonb")
    public String spec;

    @Convert(converter = PhaseState.Converter.class)
    @Column(nullable = false)
    public PhaseState state;

    @Column(nullable = false)
    public int devices;

    @Column(name = "approved_by")
    public String approvedBy;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "last_assigned_at")
    public Instant lastAssignedAt;

    @Column(name = "baked_at")
    public Instant bakedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "gate_outcome")
    public String gateOutcome;

    @Column(name = "gate_reason")
    public String gateReason;

    @Column(name = "gate_at")
    public Instant gateAt;
}
