package dev.modelyard.server.conversion.profile;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A named recipe for one target: built for every published version while it is enabled. */
@Entity
@Table(name = "conversion_profile")
public class ConversionProfile extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;


    @Column(nullable = false)
    public String name;

    public String description;

    @Column(nullable = false)
    public boolean enabled = true;

    /** A normalized {@link ChainSpec} as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb", nullable = false)
    public Map<String, Object> spec;

    @Column(name = "has_command", nullable = false)
    public boolean hasCommand;
}
