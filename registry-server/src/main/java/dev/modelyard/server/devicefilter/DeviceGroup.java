package dev.modelyard.server.devicefilter;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.Optional;

/** A device filter saved under a name; its members are whatever devices match when it is read. */
@Entity
@Table(name = "device_group")
public class DeviceGroup extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    public String description;

    /** The filter as written. */
    @Column(nullable = false)
    public String filter;

    static Optional<DeviceGroup> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
