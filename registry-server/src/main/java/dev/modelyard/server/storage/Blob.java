package dev.modelyard.server.storage;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * The ledger row of a stored blob. Artifacts reference it by digest; a blob no artifact refers
 * to, untouched for the grace period, is garbage.
 */
@Entity
@Table(name = "blob")
public class Blob extends PanacheEntityBase {

    @Id
    @Column(columnDefinition = "bpchar(64)")
    public String sha256;

    @Column(nullable = false)
    public long size;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "touched_at", nullable = false)
    public Instant touchedAt;
}
