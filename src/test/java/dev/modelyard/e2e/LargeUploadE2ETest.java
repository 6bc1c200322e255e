package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.modelyard.client.Artifacts;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.Fixtures;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads stream: a 2 GiB artifact goes through a server whose heap is capped at 256 MiB. The
 * bytes are random, so the artifact is declared in an opaque format (ONNX and TensorFlow Lite uploads are parsed).
 */
class LargeUploadE2ETest {

    static final long TWO_GIB = 2L * 1024 * 1024 * 1024;

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_large", "256m", Map.of());

    @Test
    void twoGibUploadWithSmallHeapThenDownloadIntact() throws Exception {
        ModelyardClient api = server.admin();
        Fixtures.model(api, "big-model");
        api.versions().create("big-model", Versions.NewVersion.of("1.0.0"));
        String sha = PatternStream.sha256Hex(TWO_GIB, 2);

        Artifacts.Artifact stored = api.artifacts().put("big-model", "1.0.0", "big.bin", Artifacts.target("bin"),
                () -> new PatternStream(TWO_GIB, 2), TWO_GIB, sha, null);

        assertEquals(sha, stored.sha256());
        assertEquals(TWO_GIB, stored.size());
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (DigestOutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            assertEquals(TWO_GIB, api.artifacts().download("big-model", "1.0.0", "big.bin", out));
        }
        assertEquals(sha, HexFormat.of().formatHex(digest.digest()));
    }
}
