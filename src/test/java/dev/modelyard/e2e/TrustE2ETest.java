package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.client.ModelyardClient;
import dev.modelyard.testing.Fixtures;
import dev.modelyard.testing.OnnxModels;
import dev.modelyard.testing.TestPostgres;
import dev.modelyard.wire.TargetDescriptor;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's trust workflow end to end: offline keys and root metadata made with the
 * command-line tool, the server signing releases with the release key, the tool verifying what
 * the server serves as a device would, and a release key rotation through a new root version.
 */
class TrustE2ETest {

    static final String ADMIN = "e2e-admin-token-0123456789abcdef";

    @TempDir
    Path work;

    private Cli.Run cli(String... args) throws Exception {
        return Cli.run(work, args);
    }

    private Cli.Run ok(String... args) throws Exception {
        Cli.Run r = cli(args);
        assertEquals(0, r.code(), "modelyard " + String.join(" ", args) + " failed:\n" + r.out());
        return r;
    }

    private static String keyId(Cli.Run generated) {
        return generated.out().lines().filter(l -> l.matches(".*\\b[0-9a-f]{64}\\b.*")).findFirst()
                .map(l -> l.replaceAll(".*\\b([0-9a-f]{64})\\b.*", "$1")).orElseThrow();
    }

    @Test
    void offlineRootServerSignedReleasesAndKeyRotation() throws Exception {
        Files.writeString(work.resolve("pass.txt"), "a long offline passphrase\n");
        ok("keys", "generate", "--out", "root-key.json", "--passphrase-file", "pass.txt");
        String release1 = keyId(ok("keys", "generate", "--out", "release-1.json"));
        ok("root", "init", "--root-key", "root-key.json", "--release-key", "release-1.json", "--expires", "365d",
                "--out", "1.root.json", "--passphrase-file", "pass.txt");
        ok("trust-bundle", "--chain", "1.root.json", "--out", "trust-bundle.json");

        try (TestPostgres db = TestPostgres.create("e2e_trust")) {
            Map<String, String> env = Map.of("MODELYARD_ADMIN_TOKEN", ADMIN,
                    "MODELYARD_SIGNING_RELEASE_KEY_FILE", work.resolve("release-1.json").toString(),
                    "MODELYARD_SIGNING_RENEW_INTERVAL", "1s");
            ServerProcess server = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "128m", env);
            try {
                ModelyardClient api = server.client(ADMIN);
                assertEquals(1, api.trust().publishRoot(Files.readString(work.resolve("1.root.json"))).version());
                byte[] model = OnnxModels.addBias(0.5f, 0.5f, 0.5f, 0.5f);
                Fixtures.published(api, "kws", "1.0.0", "kws.onnx",
                        new TargetDescriptor("onnx", null, null, "x86_64", null, null, null, null), model, null);
                Files.writeString(work.resolve("kws.release.json"), api.artifacts().signedMetadata("kws", "1.0.0", "kws.onnx"));
                try (OutputStream out = Files.newOutputStream(work.resolve("kws.onnx"))) {
                    api.artifacts().download("kws", "1.0.0", "kws.onnx", out);
                }

                String[] verify = {"verify", "--root", "trust-bundle.json", "--metadata", "kws.release.json", "--file", "kws.onnx",
                        "--model", "kws", "--arch", "x86_64"};
                assertTrue(ok(verify).out().contains("OK"));
                Cli.Run otherModel = cli("verify", "--root", "trust-bundle.json", "--metadata", "kws.release.json", "--file",
                        "kws.onnx", "--model", "face-detector", "--arch", "x86_64");
                assertNotEquals(0, otherModel.code());
                assertTrue(otherModel.out().contains("MIX_AND_MATCH"), otherModel.out());
                byte[] bytes = Files.readAllBytes(work.resolve("kws.onnx"));
                bytes[bytes.length - 3] ^= 1;
                Files.write(work.resolve("tampered.onnx"), bytes);
                Cli.Run tampered = cli("verify", "--root", "trust-bundle.json", "--metadata", "kws.release.json", "--file",
                        "tampered.onnx", "--model", "kws", "--arch", "x86_64");
                assertNotEquals(0, tampered.code());
                assertTrue(tampered.out().contains("DIGEST_MISMATCH"), tampered.out());

                // Rotate the release key: root version 2 lists the new key and drops the old one.
                String release2 = keyId(ok("keys", "generate", "--out", "release-2.json"));
                ok("root", "next", "--previous", "1.root.json", "--sign-with", "root-key.json", "--release-key", "release-2.json",
                        "--revoke-release", release1, "--out", "2.root.json", "--passphrase-file", "pass.txt");
                assertEquals(2, api.trust().publishRoot(Files.readString(work.resolve("2.root.json"))).version());
                server.close();
                ServerProcess rotated = ServerProcess.start(db.jdbcUrl(), work.resolve("data"), "128m", Map.of(
                        "MODELYARD_ADMIN_TOKEN", ADMIN,
                        "MODELYARD_SIGNING_RELEASE_KEY_FILE", work.resolve("release-2.json").toString(),
                        "MODELYARD_SIGNING_RENEW_INTERVAL", "1s"));
                server = rotated;
                ok("trust-bundle", "--chain", "1.root.json", "2.root.json", "--out", "trust-bundle-2.json");
                // The metadata signed by the revoked key is refused under the new root ...
                Cli.Run stale = cli("verify", "--root", "trust-bundle-2.json", "--metadata", "kws.release.json", "--file", "kws.onnx",
                        "--model", "kws", "--arch", "x86_64");
                assertNotEquals(0, stale.code(), stale.out());
                // ... and the server re-signs with the new key on its own.
                String resigned = awaitSignedBy(rotated, release2);
                Files.writeString(work.resolve("kws.release-2.json"), resigned);
                assertTrue(ok("verify", "--root", "trust-bundle-2.json", "--metadata", "kws.release-2.json", "--file", "kws.onnx",
                        "--model", "kws", "--arch", "x86_64").out().contains("OK"));
            } finally {
                server.close();
            }
        }
    }

    private String awaitSignedBy(ServerProcess server, String keyId) throws Exception {
        String body = "";
        java.time.Instant deadline = java.time.Instant.now().plus(ServerProcess.WAIT);
        while (java.time.Instant.now().isBefore(deadline)) {
            body = server.client(ADMIN).artifacts().signedMetadata("kws", "1.0.0", "kws.onnx");
            if (body.contains(keyId)) return body;
            ServerProcess.pause(200);
        }
        throw new AssertionError("metadata was not re-signed with " + keyId + ": " + body);
    }
}
