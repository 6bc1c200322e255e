package dev.modelyard.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelyard.client.ModelyardClient;
import dev.modelyard.client.Versions;
import dev.modelyard.testing.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged CLI's registry commands against the packaged server: the one-step release the
 * benches set up with, device registration and assignment, and a refusal reported with its code.
 */
class CliRegistryE2ETest {

    @RegisterExtension
    static final FreshServer server = new FreshServer("e2e_cli_registry", "192m", Map.of());
    static Path work;

    @BeforeAll
    static void writeToken() throws Exception {
        work = server.work();
        Files.writeString(work.resolve("admin.token"), FreshServer.ADMIN + "\n");
    }

    private static Cli.Run registry(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[]{"--server", server.process().uri("").toString(), "--token-file", "admin.token"}, 0, all, args.length, 4);
        return Cli.run(work, all);
    }

    private static JsonNode ok(String... args) throws Exception {
        Cli.Run r = registry(args);
        assertEquals(0, r.code(), r.out());
        return DeviceRig.JSON.readTree(r.out());
    }

    @Test
    void releaseRegisterAndAssignFromTheCommandLine() throws Exception {
        Files.write(work.resolve("kws.onnx"), OnnxModels.addBias(1, 1, 1, 1));
        JsonNode artifact = ok("release", "kws", "1.0.0", "kws.onnx", "--arch", "x86_64");
        assertEquals("kws.onnx", artifact.get("filename").asText());
        assertEquals("x86_64", artifact.path("target").path("arch").asText());

        ModelyardClient api = server.admin();
        assertEquals(Versions.PUBLISHED, api.versions().get("kws", "1.0.0").status());
        assertEquals(artifact.get("sha256").asText(), api.artifacts().get("kws", "1.0.0", "kws.onnx").sha256());

        JsonNode device = ok("devices", "create", "cam-1", "--tag", "lab");
        assertTrue(device.get("token").asText().length() > 10, device.toString());
        JsonNode assignment = ok("devices", "assign", "kws", "1.0.0", "--tag", "lab");
        assertEquals(1, assignment.get("assigned").asInt() + assignment.get("failed").asInt(), assignment.toString());

        // a file for particular CPUs: the features are sent, named as the descriptors name them
        JsonNode avx2 = ok("release", "kws", "1.1.0", "kws.onnx", "--arch", "x86_64", "--cpu-features", "AVX2,fma");
        assertEquals("[\"avx2\",\"fma\"]", avx2.path("target").path("cpuFeatures").toString());
        assertEquals(java.util.List.of("avx2", "fma"), api.artifacts().get("kws", "1.1.0", "kws.onnx").target().cpuFeatures());

        ok("artifacts", "download", "kws", "1.0.0", "kws.onnx", "--out", "back.onnx");
        assertEquals(-1, Files.mismatch(work.resolve("kws.onnx"), work.resolve("back.onnx")));

        Cli.Run again = registry("release", "kws", "1.0.0", "kws.onnx");
        assertEquals(1, again.code(), again.out());
        // One error line with the code, and what to do about it.
        List<String> lines = again.out().strip().lines().toList();
        assertEquals(2, lines.size(), again.out());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).endsWith("[code: already-exists, HTTP 409]"), again.out());
        assertTrue(lines.get(1).startsWith("hint: "), again.out());
    }
}
