package dev.modelyard.server.ddi;

import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.OperatorSettingsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * An unmodified third-party hawkBit client, SWUpdate's suricatta daemon, takes a deployment from
 * this server: it reports its attributes, downloads a signed .swu image, installs it, and reports
 * success after its "reboot" (a restart with the confirm option, as SWUpdate does when the
 * bootloader's update state says the new software came up). Skipped where swupdate or openssl is
 * not installed.
 */
@QuarkusTest
@TestProfile(OperatorSettingsProfile.class)
class SwupdateClientTest {

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    @Test
    void suricattaInstallsADeployment() throws Exception {
        assumeTrue(onPath("swupdate") && onPath("openssl"), "swupdate and openssl are needed for this test");
        Path dir = Files.createTempDirectory("modelyard-swupdate");
        List<Process> started = new ArrayList<>();
        try {
            byte[] payload = Api.randomBytes(4096, 42);
            byte[] swu = signedImage(dir, payload);

            String model = Api.createModel("swu");
            Api.createVersion(model, "1.0.0");
            Api.upload(model, "1.0.0", "kws.swu", swu, "format=swu&runtime=swupdate&arch=x86_64").then().statusCode(201);
            publisher().post("/api/v1/models/{m}/versions/1.0.0/publish", model).then().statusCode(200);
            String device = Api.uniqueName("swu-dev");
            String token = publisher().contentType(ContentType.JSON).body(Map.of("controllerId", device))
                    .post("/api/v1/devices").then().statusCode(201).extract().path("token");

            Path config = dir.resolve("swupdate.cfg");
            Files.writeString(config, """
                    globals :
                    {
                        loglevel = 6;
                        public-key-file = "%s";
                    };
                    identify : (
                        { name = "arch"; value = "x86_64"; },
                        { name = "runtime.swupdate"; value = "2022.12"; }
                    );
                    """.formatted(dir.resolve("cert.pem")));
            String suricatta = "-t DEFAULT -i " + device + " -u http://127.0.0.1:" + RestAssured.port + " -k " + token + " -p 1";

            // First run: the daemon reports its attributes through configData.
            Process first = start(dir, config, suricatta, "run-1.log");
            started.add(first);
            await("the device's attributes", () -> "2022.12".equals(
                    viewer().get("/api/v1/devices/{d}", device).then().extract().path("attributes.'runtime.swupdate'")));

            long action = publisher().contentType(ContentType.JSON)
                    .body(Map.of("model", model, "version", "1.0.0", "device", device))
                    .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath().getLong("actions[0].id");
            Path installed = dir.resolve("out").resolve("model.onnx");
            await("the installation", () -> Files.exists(installed) && messages(action).contains("All Chunks Installed."));
            assertArrayEquals(payload, Files.readAllBytes(installed));
            stop(first);

            // After the "reboot", the daemon confirms the update.
            Process second = start(dir, config, suricatta + " -c 2", "run-2.log");
            started.add(second);
            await("the success report", () -> "finished".equals(
                    viewer().get("/api/v1/actions/{id}", action).then().extract().path("status")));
            stop(second);

            viewer().get("/api/v1/devices/{d}", device).then().statusCode(200)
                    .body("status", equalTo("in_sync"))
                    .body("installed[0].model", equalTo(model))
                    .body("installed[0].version", equalTo("1.0.0"));
            List<String> types = viewer().get("/api/v1/actions/{id}/status", action).then().extract().jsonPath().getList("type");
            assertEquals("finished", types.get(0));
            assertTrue(types.contains("retrieved"), types.toString());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + logs(dir), e);
        } finally {
            for (Process p : started) stop(p);
            deleteTree(dir);
        }
    }

    /** The end of each swupdate run's output, to explain a failure. */
    private static String logs(Path dir) {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("run-1.log", "run-2.log")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(name));
                b.append("--- ").append(name).append('\n');
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException e) {
                b.append("--- ").append(name).append(": none\n");
            }
        }
        return b.toString();
    }

    private static List<String> messages(long action) {
        List<List<String>> all = viewer().get("/api/v1/actions/{id}/status", action).then().extract().jsonPath().getList("messages");
        return all.stream().flatMap(List::stream).toList();
    }

    /** A .swu image: a cpio (newc) archive of sw-description, its CMS signature and one file. */
    static byte[] signedImage(Path dir, byte[] payload) throws Exception {
        String sha256 = Api.sha256(payload);
        Path description = dir.resolve("sw-description");
        Files.writeString(description, """
                software =
                {
                    version = "1.0.0";
                    hardware-compatibility: [ "1.0" ];
                    files: (
                        {
                            filename = "model.onnx";
                            path = "%s";
                            sha256 = "%s";
                            properties = { create-destination = "true"; };
                        }
                    );
                }
                """.formatted(dir.resolve("out").resolve("model.onnx"), sha256));
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                "-subj", "/CN=modelyard-test", "-days", "2", "-addext", "keyUsage=digitalSignature",
                "-addext", "extendedKeyUsage=emailProtection");
        run(dir, "openssl", "cms", "-sign", "-in", "sw-description", "-out", "sw-description.sig", "-signer", "cert.pem",
                "-inkey", "key.pem", "-outform", "DER", "-nosmimecap", "-binary");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cpioEntry(out, "sw-description", Files.readAllBytes(description), 1);
        cpioEntry(out, "sw-description.sig", Files.readAllBytes(dir.resolve("sw-description.sig")), 2);
        cpioEntry(out, "model.onnx", payload, 3);
        cpioEntry(out, "TRAILER!!!", new byte[0], 0);
        return out.toByteArray();
    }

    static void cpioEntry(ByteArrayOutputStream out, String name, byte[] data, int inode) throws IOException {
        byte[] n = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        long[] fields = {inode, 0100644, 0, 0, 1, 0, data.length, 0, 0, 0, 0, n.length, 0};
        StringBuilder header = new StringBuilder("070701");
        for (long f : fields) header.append(String.format("%08X", f));
        out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(n);
        pad(out);
        out.write(data);
        pad(out);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) out.write(0);
    }

    static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertEquals(0, p.waitFor(), String.join(" ", command) + " failed: " + Files.readString(dir.resolve("openssl.log")));
    }

    static Process start(Path dir, Path config, String suricatta, String log) throws IOException {
        ProcessBuilder b = new ProcessBuilder("swupdate", "-f", config.toString(), "-H", "board:1.0", "-m", "-M",
                "-u", suricatta).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
        // Its sockets and scratch files go to TMPDIR: one private directory per run.
        Path tmp = Files.createDirectories(dir.resolve("tmp-" + log));
        b.environment().put("TMPDIR", tmp + "/");
        return b.start();
    }

    static void stop(Process p) {
        if (!p.isAlive()) return;
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        dev.modelyard.server.Api.await(what, Duration.ofSeconds(60), condition);
    }

    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
