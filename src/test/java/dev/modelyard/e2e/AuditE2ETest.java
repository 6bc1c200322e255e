package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail checked from outside: the command-line tool fetches it from a running server and
 * recomputes the chain itself. A row changed or removed in the database (by a superuser, with the
 * append-only trigger off) is reported as the first broken entry, with exit code 1; a chain put
 * back is intact again; a check that cannot be made ends with 2.
 */
class AuditE2ETest {

    static final String ADMIN = "e2e-admin-token-0123456789abcdef";

    @TempDir
    Path work;

    @Test
    void theCliFindsAChangedAndARemovedEntry() throws Exception {
        Files.writeString(work.resolve("token"), ADMIN + "\n");
        try (TestPostgres db = TestPostgres.create("e2e_audit")) {
            ServerProcess server = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "128m", Map.of("MODELYARD_ADMIN_TOKEN", ADMIN));
            try {
                ModelyardClient api = ModelyardClient.connect(server.uri(""), ADMIN);
                for (int i = 0; i < 4; i++) {
                    Fixtures.model(api, "audited-" + i);
                }
                assertEquals(404, Fixtures.refused(() -> api.devices().delete("nobody")).status());
                String url = server.uri("").toString();
                Cli.Run intact = Cli.run(work, "audit", "verify", "--server", url, "--token-file", "token");
                assertEquals(0, intact.code(), intact.out());
                assertTrue(intact.out().contains("intact: 5 entries checked"), intact.out());

                try (Connection c = db.connect(); Statement s = c.createStatement()) {
                    s.execute("SET session_replication_role = replica");
                    s.executeUpdate("UPDATE audit_entry SET actor_name = 'someone-else' WHERE seq = 2");
                    Cli.Run changed = Cli.run(work, "audit", "verify", "--server", url, "--token-file", "token");
                    assertEquals(1, changed.code(), changed.out());
                    assertTrue(changed.out().contains("broken at entry 2: its content does not match its hash"), changed.out());
                    assertTrue(changed.out().contains("someone-else"), "the broken entry is shown: " + changed.out());
                    s.executeUpdate("UPDATE audit_entry SET actor_name = 'bootstrap-admin' WHERE seq = 2");

                    Cli.Run restored = Cli.run(work, "audit", "verify", "--server", url, "--token-file", "token");
                    assertEquals(0, restored.code(), restored.out());

                    s.executeUpdate("DELETE FROM audit_entry WHERE seq = 3");
                    Cli.Run removed = Cli.run(work, "audit", "verify", "--server", url, "--token-file", "token");
                    assertEquals(1, removed.code(), removed.out());
                    assertTrue(removed.out().contains("broken at entry 4: entries 3 to 3 are missing"), removed.out());
                }

                Files.writeString(work.resolve("wrong-token"), "not-a-token\n");
                Cli.Run refused = Cli.run(work, "audit", "verify", "--server", url, "--token-file", "wrong-token");
                assertEquals(2, refused.code(), refused.out());
                assertTrue(refused.out().contains("401"), refused.out());
            } finally {
                server.close();
            }
        }
        Cli.Run unreachable = Cli.run(work, "audit", "verify", "--server", "http://127.0.0.1:9", "--token-file", "token");
        assertEquals(2, unreachable.code(), unreachable.out());
        Cli.Run usage = Cli.run(work, "audit", "verify", "--server", "http://127.0.0.1:9");
        assertEquals(2, usage.code(), usage.out());
    }
}
