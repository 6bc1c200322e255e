package dev.modelyard.server.device;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A device (hawkBit: target). Updates write only changed columns, because {@code last_seen_at}
 * and {@code state_version} are also written by single SQL statements outside the entity.
 */
@Entity
@Table(name = "device")
@DynamicUpdate
public class Device extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;


    @Column(name = "controller_id", nullable = false)
    public String controllerId;

    public String name;

    public String description;

    @Column(name = "token_hash")
    public String tokenHash;

    /**
     * The token itself, kept only for devices whose token was created or chosen through hawkBit's
     * Management API, which shows it to admins (as hawkBit does); null otherwise.
     */
    @Column(name = "token_secret")
    public String tokenSecret;

    @Column(name = "token_hint")
    public String tokenHint;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public DeviceStatus status = DeviceStatus.UNKNOWN;

    /** What the device reported through configData. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public Map<String, String> attributes = new TreeMap<>();

    @Column(name = "attributes_requested", nullable = false)
    public boolean attributesRequested = true;

    @Column(name = "state_version", nullable = false, insertable = false, updatable = false)
    public long stateVersion;

    @Column(name = "last_seen_at", insertable = false, updatable = false)
    public Instant lastSeenAt;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "device_tag", joinColumns = @JoinColumn(name = "device_id"))
    @Column(name = "tag", nullable = false)
    public Set<String> tags = new TreeSet<>();

    public static Optional<Device> findByController(String controllerId) {
        return find("controllerId", controllerId).firstResultOptional();
    }
}
