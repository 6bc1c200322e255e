package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'audit verify' without a server to check: every failure to check is exit code 2, never 1 (which
 * means a broken chain). The check against a real server is the end-to-end AuditE2ETest.
 */
class AuditCommandTest {

    @TempDir
    Path dir;

    @Test
    void usageErrorsAreNotABrokenChain() {
        Cli.Result r = new Cli(dir).run("audit", "verify", "--server", "http://127.0.0.1:9");
        assertEquals(AuditCommand.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("--token-file"), r.err());
    }

    @Test
    void anUnreadableTokenFileOrABadUrlIsAnError() throws Exception {
        Cli cli = new Cli(dir);
        Cli.Result missing = cli.run("audit", "verify", "--server", "http://127.0.0.1:9", "--token-file", cli.path("none"));
        assertEquals(AuditCommand.ERROR, missing.code());
        assertTrue(missing.err().startsWith("error: "), missing.err());
        Files.writeString(dir.resolve("empty"), "\n");
        Cli.Result empty = cli.run("audit", "verify", "--server", "http://127.0.0.1:9", "--token-file", cli.path("empty"));
        assertEquals(AuditCommand.ERROR, empty.code());
        assertTrue(empty.err().contains("first line"), empty.err());
        Files.writeString(dir.resolve("token"), "t\n");
        Cli.Result url = cli.run("audit", "verify", "--server", "ftp://example.com", "--token-file", cli.path("token"));
        assertEquals(AuditCommand.ERROR, url.code());
        assertTrue(url.err().contains("http(s) URL"), url.err());
    }

    @Test
    void anUnreachableServerIsAnError() throws Exception {
        Cli cli = new Cli(dir);
        Files.writeString(dir.resolve("token"), "t\n");
        // Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
        Cli.Result r = cli.run("audit", "verify", "--server", "http://127.0.0.1:9", "--token-file", cli.path("token"));
        assertEquals(AuditCommand.ERROR, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(!r.err().contains("\tat "), r.err());
    }
}
