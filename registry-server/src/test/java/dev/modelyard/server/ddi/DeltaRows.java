package dev.modelyard.server.ddi;

import dev.modelyard.server.storage.BlobLedger;
import dev.modelyard.server.storage.StagedFile;
import dev.modelyard.server.storage.StagingArea;
import dev.modelyard.server.tenant.TenantContext;
import dev.modelyard.server.tenant.Tenants;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Delta rows as the server's builder leaves them: the delta's bytes in the blob store (through
 * the ledger, as every stored file goes) and its {@code artifact_delta} row in a state.
 */
final class DeltaRows {

    private final DataSource db;
    private final StagingArea staging;
    private final BlobLedger ledger;
    private final TenantContext tenants;

    DeltaRows(DataSource db, StagingArea staging, BlobLedger ledger, TenantContext tenants) {
        this.db = db;
        this.staging = staging;
        this.ledger = ledger;
        this.tenants = tenants;
    }

    /** Stores {@code bytes} as a blob; their SHA-256. */
    String store(byte[] bytes) {
        try {
            StagedFile staged = staging.receive(new ByteArrayInputStream(bytes), bytes.length);
            tenants.runAs(Tenants.DEFAULT, () -> {
                try {
                    ledger.store(staged);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return staged.sha256();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The delta from {@code base} (null: the compressed full file) to the target artifact, in
     * {@code status} with these bytes (null: none, as a row that is not built); an existing row
     * for the pair (a device's demand queued it) is finished the same way. Its id.
     */
    UUID put(UUID target, String base, String status, int format, String method, byte[] bytes) {
        String blob = bytes == null ? null : store(bytes);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO artifact_delta (id, tenant, target_artifact_id, base_sha256, format, status, requested_by,
                                            method, blob_sha256, size, target_size, built_at)
                SELECT ?, a.tenant, a.id, ?, ?, ?, 'api', ?, ?, ?, a.size, now() FROM artifact a WHERE a.id = ?
                ON CONFLICT (target_artifact_id, COALESCE(base_sha256, '')) DO UPDATE SET format = excluded.format,
                    status = excluded.status, method = excluded.method, blob_sha256 = excluded.blob_sha256,
                    size = excluded.size, built_at = excluded.built_at
                RETURNING id""")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, base);
            ps.setInt(3, format);
            ps.setString(4, status);
            ps.setString(5, method);
            ps.setString(6, blob);
            ps.setObject(7, bytes == null ? null : (long) bytes.length, java.sql.Types.BIGINT);
            ps.setObject(8, target);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new IllegalStateException("no artifact " + target);
                return rs.getObject(1, UUID.class);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void update(UUID id, String set, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE artifact_delta SET " + set
                + " WHERE id = ?")) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.setObject(args.length + 1, id);
            if (ps.executeUpdate() != 1) throw new IllegalStateException("no delta " + id);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A row as the test reads it back. */
    record Row(String base, String status, String requestedBy, UUID baseArtifact, long targetSize, String tenant) {
    }

    /** The rows of a target, base order (the compressed full file last). */
    List<Row> rows(UUID target) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT base_sha256, status, requested_by, base_artifact_id, target_size, tenant FROM artifact_delta
                WHERE target_artifact_id = ? ORDER BY base_sha256 NULLS LAST""")) {
            ps.setObject(1, target);
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String base = rs.getString(1);
                    out.add(new Row(base == null ? null : base.strip(), rs.getString(2), rs.getString(3),
                            rs.getObject(4, UUID.class), rs.getLong(5), rs.getString(6)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
