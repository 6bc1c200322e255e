package dev.modelyard.server.hawkbit;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** hawkBit's target filter: a named target query, stored as the client wrote it (see {@link Rsql}). */
@Entity
@Table(name = "target_filter")
public class TargetFilter extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;


    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String query;

    @Column(name = "updated_by")
    public String updatedBy;
}
