package dev.modelyard.server.deployment;

import dev.modelyard.server.tenant.TenantOwned;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One entry of an action's history: a status (running, retrieved, download, downloaded,
 * scheduled, warning, canceling, canceled, cancel_rejected, finished, error) with messages.
 */
@Entity
@Table(name = "action_status")
public class ActionStatusEntry extends TenantOwned {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "action_id", nullable = false)
    public Long actionId;

    @Column(nullable = false)
    public String type;

    public Integer code;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public List<String> messages = List.of();

    /** When it happened, by the device's clock when it said so. */
    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(name = "reported_at", nullable = false)
    public Instant reportedAt;
}
