package dev.modelyard.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry commands' failures before and around the server: each is one line naming what to
 * fix. Their work against a real server is tested end to end (the server runs as a process there).
 */
class RemoteCommandTest {

    @TempDir
    Path dir;

    @Test
    void withoutAServerOrATokenTheCommandSaysWhatIsMissing() throws Exception {
        Cli cli = new Cli(dir);
        assertTrue(cli.run("models", "list").fails().err().contains("no server: give --server URL or set MODELYARD_SERVER"));
        cli.env.put("MODELYARD_SERVER", "http://127.0.0.1:1");
        assertTrue(cli.run("models", "list").fails().err().contains("no API token: give --token-file FILE or set MODELYARD_TOKEN"));
        Files.writeString(dir.resolve("token"), "\n");
        assertTrue(cli.run("models", "list", "--token-file", cli.path("token")).fails().err().contains("the first line (the API token) is empty"));
        cli.env.put("MODELYARD_TOKEN", "myd_x");
        assertTrue(cli.run("models", "list", "--server", "ftp://registry").fails().err().contains("is not an http(s) URL"));
    }

    /** A server address where nothing listens: the port was free a moment ago and is closed again. */
    private static String nothingListening() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void anUnreachableServerIsOneLine() throws Exception {
        Cli cli = new Cli(dir);
        cli.env.put("MODELYARD_TOKEN", "myd_x");
        String err = cli.run("models", "get", "kws", "--server", nothingListening()).fails().err();
        assertTrue(err.startsWith("error: GET /api/v1/models/kws"), err);
    }

    @Test
    void assignNeedsExactlyOneTarget() {
        Cli cli = new Cli(dir);
        assertTrue(cli.run("devices", "assign", "kws", "1.0.0").usage().err().contains("--device"));
        assertTrue(cli.run("devices", "assign", "kws", "1.0.0", "--device", "a", "--tag", "b").usage().err()
                .contains("mutually exclusive"));
    }

    @Test
    void anUploadRefusesAMissingFileBeforeCallingAnything() throws Exception {
        Cli cli = new Cli(dir);
        cli.env.put("MODELYARD_TOKEN", "myd_x");
        String err = cli.run("artifacts", "put", "kws", "1.0.0", cli.path("missing.onnx"), "--server", nothingListening())
                .fails().err();
        assertTrue(err.contains("missing.onnx: no such file"), err);
    }
}
