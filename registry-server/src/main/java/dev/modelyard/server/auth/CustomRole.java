package dev.modelyard.server.auth;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A tenant's own role: a name for a set of {@link Permission}s. Built-in roles are {@link Role}, not rows.
 * The queries name the tenant although the ORM scopes them: authentication reads roles across tenants.
 */
@Entity
@Table(name = "custom_role")
public class CustomRole extends TenantOwnedRecord {

    @Id
    public UUID id;

    @Column(nullable = false, updatable = false)
    public String name;

    public String description;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<String> permissions = new ArrayList<>();

    public static Optional<CustomRole> find(String tenant, String name) {
        return find("tenant = ?1 and name = ?2", tenant, name).firstResultOptional();
    }

    public static List<CustomRole> listOf(String tenant) {
        return list("tenant = ?1 order by name", tenant);
    }
}
