package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.Models;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No default password: the first admin token is generated and shown once, or taken from the environment. */
class FirstStartE2ETest {

    @TempDir
    Path work;

    @Test
    void generatesAnAdminTokenOnceWhenNoneIsConfigured() throws Exception {
        try (TestPostgres db = TestPostgres.create("e2e_first")) {
            ServerProcess server = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "128m", Map.of());
            try {
                Matcher m = Pattern.compile("\\s(myd_[A-Za-z0-9_-]{43})\\s").matcher(server.log());
                assertTrue(m.find(), "the generated token is printed:\n" + server.log());
                String token = m.group(1);
                assertFalse(server.client(token).tokens().list().isEmpty());
                assertEquals("unauthorized", Fixtures.refused(() -> server.client("myd_wrong").models().list(Models.Filter.all())).code());

                server.close();
                server.restart();
                Matcher again = Pattern.compile("myd_[A-Za-z0-9_-]{43}").matcher(server.log());
                int printed = 0;
                while (again.find()) printed++;
                assertEquals(1, printed, "the token is printed only at the first start");
                assertEquals(0, server.client(token).models().list(Models.Filter.all()).total());
            } finally {
                server.close();
            }
        }
    }

    @Test
    void refusesAWeakConfiguredAdminToken() throws Exception {
        try (TestPostgres db = TestPostgres.create("e2e_weak")) {
            int code = ServerProcess.runExpectingExit(db.jdbcUrl(), work.resolve("weak"), Map.of("MODELYARD_ADMIN_TOKEN", "admin"),
                    Duration.ofMinutes(3));
            assertNotEquals(0, code);
            String log = java.nio.file.Files.readString(work.resolve("weak-server.log"));
            assertTrue(log.contains("MODELYARD_ADMIN_TOKEN is shorter than"), log);
        }
    }
}
