package dev.modelyard.server.model;

import dev.modelyard.server.tenant.TenantOwnedRecord;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Map;

/** A named line of work, such as {@code kws-small}: the parent of its versions. */
@Entity
@Table(name = "model")
public class Model extends TenantOwnedRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;


    @Column(nullable = false)
    public String name;

    public String description;

    public String task;

    public String framework;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "model_label", joinColumns = @JoinColumn(name = "model_id"))
    @MapKeyColumn(name = "key")
    @Column(name = "value", nullable = false)
    public Map<String, String> labels = new TreeMap<>();

    public static Optional<Model> findByName(String name) {
        return find("name", name).firstResultOptional();
    }
}
