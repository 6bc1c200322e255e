package dev.modelyard.server.conversion.job;

import static dev.modelyard.server.Api.viewer;
import static dev.modelyard.server.conversion.job.Conversions.await;
import static dev.modelyard.server.conversion.job.Conversions.builtin;
import static dev.modelyard.server.conversion.job.Conversions.command;
import static dev.modelyard.server.conversion.job.Conversions.jobsOf;
import static dev.modelyard.server.conversion.job.Conversions.profileBody;
import static dev.modelyard.server.conversion.job.Conversions.publish;
import static dev.modelyard.server.conversion.job.Conversions.request;
import static dev.modelyard.server.conversion.job.Conversions.requestOne;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.background.WorkDirectories;
import dev.modelyard.server.config.ModelyardConfig;
import dev.modelyard.server.conversion.ConvertingMachine;
import dev.modelyard.server.conversion.EquivalenceCheck;
import dev.modelyard.server.conversion.TestModels;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Conversion through the job queue, over HTTP, with real PostgreSQL and ONNX Runtime: profiles
 * at publication, explicit requests, idempotency, external commands, failures, cancel and the
 * take-over of a job whose replica died.
 */
@QuarkusTest
class ConversionJobApiTest {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final Map<String, Object> ANY_ONNX = Map.of("format", "onnx");

    @Inject
    AgroalDataSource db;
    @Inject
    JobRunner runner;
    @Inject
    ModelyardConfig config;

    private final Conversions conversions = new Conversions();

    @AfterEach
    void removeProfiles() {
        conversions.deleteProfiles();
    }

    /** A published version whose only artifact is {@code model.onnx}. */
    private static String published(String prefix, String version, byte[] onnx) {
        String m = Api.modelWithArtifact(prefix, version, onnx);
        publish(m, version);
        return m;
    }

    private static byte[] mlp(long seed) {
        return TestModels.bytes(TestModels.mlp(16, 32, 4, seed));
    }

    @Test
    void publishingConvertsByEveryEnabledProfileAndTheResultsRunLikeTheSource() throws Exception {
        String p = Api.uniqueName("pub");
        conversions.profile(profileBody(p + "-fp16", builtin("fp16-weights"),
                Map.of("format", "onnx", "precision", "fp16"), Map.of("maxAbsError", 1e-2, "minCosine", 0.9999)));
        conversions.profile(profileBody(p + "-int8", builtin("int8-weights-qdq"),
                Map.of("format", "onnx", "arch", "aarch64", "precision", "int8"), Map.of("maxAbsError", 5e-2, "minCosine", 0.999)));
        conversions.profile(profileBody(p + "-ort", builtin("ort-format"), Map.of("format", "ort"), null));
        Map<String, Object> disabled = profileBody(p + "-off", builtin("ort-optimize"), Map.of("format", "onnx", "arch", "x86_64"), null);
        disabled.put("enabled", false);
        conversions.profile(disabled);

        byte[] mlp = mlp(11);
        byte[] cnn = TestModels.bytes(TestModels.cnn(12));
        // The MLP's publisher uploaded an ORT file already: that profile is skipped for it.
        String mlpModel = Api.modelWithArtifact("conv-mlp", "1.0.0", mlp);
        Api.upload(mlpModel, "1.0.0", "model.ort", Api.randomBytes(512, 13), "format=ort").then().statusCode(201);
        publish(mlpModel, "1.0.0");
        Map<String, byte[]> sources = Map.of(mlpModel, mlp, published("conv-cnn", "1.0.0", cnn), cnn);

        for (Map.Entry<String, byte[]> e : sources.entrySet()) {
            String m = e.getKey();
            int expected = m.equals(mlpModel) ? 2 : 3;
            List<Map<String, Object>> jobs = jobsOf(m, "1.0.0");
            assertEquals(expected, jobs.size(), "one job per enabled profile whose target is missing: " + jobs);
            String sourceId = viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx", m).then()
                    .extract().path("id");
            Path source = Files.write(Files.createTempFile("source", ".onnx"), e.getValue());
            for (Map<String, Object> listed : jobs) {
                long id = ((Number) listed.get("id")).longValue();
                JsonPath j = await(id, "succeeded", WAIT);
                assertEquals("publication", j.getString("createdBy"));
                assertEquals(sourceId, j.getString("sourceArtifactId"));
                String url = j.getString("resultUrl");
                JsonPath a = viewer().get(url).then().statusCode(200).extract().jsonPath();
                assertEquals("converted", a.getString("origin"));
                assertEquals(sourceId, a.getString("lineage.sourceArtifactId"));
                assertEquals(j.getString("steps[0].converter"), a.getString("lineage.converter"));
                assertNotNull(a.getString("lineage.converterVersion"));
                assertEquals(j.getString("profile"), a.getString("metadata.lineage.profile"));
                assertEquals(Api.sha256(e.getValue()), a.getString("metadata.lineage.sourceSha256"));
                assertNotNull(a.get("metadata.lineage.steps[0].millis"));
                assertNotNull(a.get("metadata.lineage.totalMillis"));
                double maxAbs = a.getDouble("metadata.equivalence.maxAbsError");
                assertTrue(maxAbs <= a.getDouble("metadata.equivalence.tolerance.maxAbsError"), "within tolerance: " + maxAbs);
                assertEquals(4, a.getInt("metadata.equivalence.inputs.generated"));
                assertEquals(a.getString("filename"), "model." + j.getString("profile") + "." + j.getString("target.format"));
                // Signed like every artifact of a published version.
                viewer().get(url + "/signed-metadata").then().statusCode(200);
                // The stored bytes load in ONNX Runtime and compute what the source computes.
                byte[] bytes = viewer().get(url + "/content").then().statusCode(200).extract().asByteArray();
                Path converted = Files.write(Files.createTempFile("converted", "." + j.getString("target.format")), bytes);
                EquivalenceCheck.Report r = EquivalenceCheck.compare(source, converted, 3, 99,
                        new EquivalenceCheck.Tolerance(j.getDouble("tolerance.maxAbsError"), j.getDouble("tolerance.minCosine")));
                assertTrue(r.withinTolerance(), j.getString("profile") + ": " + r);
                Files.delete(converted);
            }
            Files.delete(source);
            viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts?origin=converted", m).then().statusCode(200)
                    .body("total", org.hamcrest.Matchers.equalTo(expected));

            // The same conversion again is the same job and the same artifact.
            JsonPath again = request(m, "1.0.0", Map.of("profiles", List.of(p + "-int8")), 200);
            assertEquals(0, again.getInt("created"));
            assertEquals("succeeded", again.getString("jobs[0].status"));
            assertTrue(jobs.stream().anyMatch(x -> ((Number) x.get("id")).longValue() == again.getLong("jobs[0].id")));
            assertEquals(expected, jobsOf(m, "1.0.0").size());

            // Another unoptimized chain for a target the version has is refused before anything runs
            // (an optimized one may join it: a version holds one of each per target).
            Api.admin().contentType("application/json").body(Conversions.adHoc("other-int8", Map.of("converter", "int8-weights-qdq",
                            "params", Map.of("perChannel", false)), Map.of("format", "onnx", "arch", "aarch64", "precision", "int8")))
                    .post("/api/v1/models/{m}/versions/1.0.0/conversions", m).then().statusCode(409)
                    .contentType("application/problem+json").body("detail", containsString("already has an artifact for target"));
        }
        // A disabled profile is not requested by name either.
        request(sources.keySet().iterator().next(), "1.0.0", Map.of("profiles", List.of(p + "-off")), 409);
    }

    @Test
    void externalCommandsRunInASandboxAndTheirFailuresAreExplained() {
        String m = published("conv-cmd", "1.0.0", mlp(21));

        long identity = requestOne(m, "1.0.0", Conversions.adHoc("copy",
                command(30, "onnx", "/bin/cp", "{input}", "{output}"), Map.of("format", "onnx", "arch", "x86_64")));
        JsonPath ok = await(identity, "succeeded", WAIT);
        assertEquals(0.0, ok.getDouble("result.equivalence.maxAbsError"));
        JsonPath copy = viewer().get(ok.getString("resultUrl")).then().extract().jsonPath();
        assertEquals(Api.sha256(mlp(21)), copy.getString("sha256"));
        assertEquals("command:cp", copy.getString("lineage.converter"));

        long slow = requestOne(m, "1.0.0", Conversions.adHoc("slow",
                command(1, "onnx", "/bin/sh", "-c", "sleep 30; echo {output}"), Map.of("format", "onnx", "arch", "armv7")));
        JsonPath timedOut = await(slow, "failed", WAIT);
        assertTrue(timedOut.getString("error").contains("timed out after 1 s"), timedOut.getString("error"));

        Map<String, Object> longJob = Conversions.adHoc("long-job",
                command(60, "onnx", "/bin/sh", "-c", "sleep 30; echo {output}"), Map.of("format", "onnx", "arch", "aarch64"));
        longJob.put("timeoutSeconds", 1);
        JsonPath jobTimedOut = await(requestOne(m, "1.0.0", longJob), "failed", WAIT);
        assertTrue(jobTimedOut.getString("error").equals("timed out after 1 s"), jobTimedOut.getString("error"));

        long crash = requestOne(m, "1.0.0", Conversions.adHoc("crash",
                command(30, "onnx", "/bin/sh", "-c", "echo cannot read the model >&2; exit 3", "sh", "{output}"),
                Map.of("format", "onnx", "arch", "riscv64")));
        JsonPath crashed = await(crash, "failed", WAIT);
        assertTrue(crashed.getString("error").contains("exited with code 3"), crashed.getString("error"));
        assertTrue(crashed.getString("error").contains("cannot read the model"), crashed.getString("error"));
        assertTrue(Conversions.log(crash).contains("stderr: cannot read the model"));

        long garbage = requestOne(m, "1.0.0", Conversions.adHoc("garbage",
                command(30, "onnx", "/bin/sh", "-c", "head -c 100 /dev/urandom > {output}"),
                Map.of("format", "onnx", "arch", "armv6")));
        JsonPath refused = await(garbage, "failed", WAIT);
        assertTrue(refused.getString("error").contains("not a usable ONNX model"), refused.getString("error"));

        long nothing = requestOne(m, "1.0.0", Conversions.adHoc("nothing",
                command(30, "onnx", "/bin/true", "{output}"), Map.of("format", "onnx", "os", "linux")));
        assertTrue(await(nothing, "failed", WAIT).getString("error").contains("produced no output file"));

        // Failed jobs run again on request, with all their attempts.
        Api.publisher().post("/api/v1/conversion/jobs/{id}/retry", crash).then().statusCode(200);
        JsonPath again = await(crash, "failed", WAIT);
        assertEquals(1, again.getInt("attempts"));
        Api.publisher().post("/api/v1/conversion/jobs/{id}/retry", identity).then().statusCode(409)
                .contentType("application/problem+json");

        // Command steps run programs on the server: publishers may not define them.
        Api.publisher().contentType("application/json").body(Conversions.adHoc("copy2",
                        command(30, "onnx", "/bin/cp", "{input}", "{output}"), Map.of("format", "onnx", "arch", "aarch64")))
                .post("/api/v1/models/{m}/versions/1.0.0/conversions", m).then().statusCode(403)
                .body("detail", containsString("only admins"));
    }

    @Test
    void aResultBeyondTheToleranceFailsWithBothNumbers() {
        String m = published("conv-tol", "1.0.0", mlp(31));
        Map<String, Object> body = Conversions.adHoc("strict-int8", builtin("int8-weights-qdq"),
                Map.of("format", "onnx", "precision", "int8"));
        body.put("tolerance", Map.of("maxAbsError", 1e-9, "minCosine", 0.5));
        JsonPath j = await(requestOne(m, "1.0.0", body), "failed", WAIT);
        String error = j.getString("error");
        assertTrue(error.matches("(?s).*max abs error [0-9.e+-]+ \\(limit 1\\.00e-09\\), min cosine [0-9.]+ \\(limit 0\\.500000\\).*"), error);
        assertEquals(1, j.getInt("attempts"), "a result beyond tolerance is not retried");
        viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts?origin=converted", m).then().body("total", org.hamcrest.Matchers.equalTo(0));
    }

    /** A version of the test MLP whose self-test vectors expect the source's own outputs, within {@code tolerance}. */
    private static String publishedWithSelfTest(String prefix, byte[] onnx, double tolerance) throws Exception {
        float[] x = new float[16];
        for (int i = 0; i < x.length; i++) x[i] = (i % 5) * 0.25f - 0.5f;
        float[] y;
        var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (var session = env.createSession(onnx);
             var input = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x), new long[]{1, 16});
             var result = session.run(Map.of("x", input))) {
            y = ((float[][]) result.get(0).getValue())[0];
        }
        String m = Api.modelWithArtifact(prefix, "1.0.0", onnx);
        Map<String, Object> doc = Map.of("tolerance", tolerance, "cases", List.of(Map.of("name", "ramp",
                "inputs", Map.of("x", Map.of("dtype", "float32", "shape", List.of(1, 16), "data", floats(x))),
                "outputs", Map.of("y", Map.of("dtype", "float32", "shape", List.of(1, 4), "data", floats(y))))));
        Api.publisher().contentType("application/json").body(Map.of("selfTest", doc))
                .patch("/api/v1/models/{m}/versions/1.0.0", m).then().statusCode(200);
        publish(m, "1.0.0");
        return m;
    }

    private static List<Double> floats(float[] v) {
        List<Double> out = new java.util.ArrayList<>();
        for (float f : v) out.add((double) f);
        return out;
    }

    /**
     * ONNX Runtime at level all lays out kernels for the converting CPU: the result names this
     * machine's architecture and features (signed with them), and says it is optimized; a
     * portable level keeps the profile's target (here naming the arch, since the source holds
     * the 'any' target), and a weight-only converter is not optimized.
     */
    @Test
    void aNonPortableStepsResultNeedsTheConvertingCpusVectorWidthAndOptimizedResultsSaySo() {
        String m = published("conv-cpu", "1.0.0", mlp(51));
        ConvertingMachine here = ConvertingMachine.local();
        String width = here.vectorWidth();
        java.util.TreeSet<String> expected = new java.util.TreeSet<>(here.features());
        if (width != null) expected.add(width);
        JsonPath all = await(requestOne(m, "1.0.0", Conversions.adHoc("opt-all", Map.of("converter", "ort-optimize",
                "params", Map.of("level", "all")), ANY_ONNX)), "succeeded", WAIT);
        JsonPath a = viewer().get(all.getString("resultUrl")).then().statusCode(200).extract().jsonPath();
        assertEquals(here.arch(), a.getString("target.arch"));
        // The features and exactly one vector width: blocked kernels are computed right only by a
        // runtime of the same width, so a wider device must not get the file either.
        assertEquals(List.copyOf(expected), a.getList("target.cpuFeatures"));
        assertEquals(width == null ? 0 : 1, a.getList("target.cpuFeatures", String.class).stream()
                .filter(dev.modelyard.wire.CpuFeatures.VECTOR_WIDTHS::contains).count());
        assertTrue(a.getBoolean("optimized"));
        if (!expected.isEmpty()) {
            String signed = viewer().get(a.getString("signedMetadataUrl")).then().statusCode(200).extract().asString();
            assertTrue(signed.contains("\"cpuFeatures\""), signed);
        }
        // The profile's own list wins over the machine's features (the profile knows its devices),
        // but the converting CPU's width is added to it: it is a fact of the file, not a choice.
        String first = here.features().stream().sorted().findFirst().orElse(null);
        if (first != null) {
            Map<String, Object> named = Conversions.adHoc("opt-all-named", Map.of("converter", "ort-optimize",
                    "params", Map.of("level", "extended")), Map.of("format", "onnx", "arch", here.arch(), "cpuFeatures", List.of(first)));
            JsonPath n = await(requestOne(m, "1.0.0", named), "succeeded", WAIT);
            java.util.TreeSet<String> namedExpected = new java.util.TreeSet<>(List.of(first));
            if (width != null) namedExpected.add(width);
            viewer().get(n.getString("resultUrl")).then().statusCode(200)
                    .body("target.cpuFeatures", org.hamcrest.Matchers.equalTo(List.copyOf(namedExpected)));
        }
        if (width != null) {
            // A profile naming another width asks for a file this server cannot make.
            String otherWidth = width.equals("vec512") ? "vec256" : "vec512";
            assertEquals("target.cpuFeatures", Conversions.request(m, "1.0.0", Conversions.adHoc("opt-other-width",
                    Map.of("converter", "ort-optimize", "params", Map.of("level", "all")),
                    Map.of("format", "onnx", "arch", here.arch(), "cpuFeatures", List.of(otherWidth))), 400).getString("field"));
        }
        JsonPath basic = await(requestOne(m, "1.0.0", Conversions.adHoc("opt-basic", builtin("ort-optimize"),
                Map.of("format", "onnx", "arch", here.arch()))), "succeeded", WAIT);
        viewer().get(basic.getString("resultUrl")).then().statusCode(200)
                .body("target.arch", org.hamcrest.Matchers.equalTo(here.arch()))
                .body("target.cpuFeatures", org.hamcrest.Matchers.hasSize(0))
                .body("optimized", org.hamcrest.Matchers.equalTo(true));
        Map<String, Object> half = Conversions.adHoc("half", builtin("fp16-weights"), Map.of("format", "onnx", "precision", "fp16"));
        half.put("tolerance", Map.of("maxAbsError", 5e-2, "minCosine", 0.999));
        JsonPath fp16 = await(requestOne(m, "1.0.0", half), "succeeded", WAIT);
        viewer().get(fp16.getString("resultUrl")).then().statusCode(200).body("optimized", org.hamcrest.Matchers.equalTo(false));
        // another architecture cannot be built on this server
        String other = here.arch().equals("aarch64") ? "x86_64" : "aarch64";
        assertEquals("target.arch", Conversions.request(m, "1.0.0", Conversions.adHoc("opt-other", Map.of("converter", "ort-optimize",
                "params", Map.of("level", "all")), Map.of("format", "onnx", "arch", other)), 400).getString("field"));
    }

    @Test
    void aPortableOptimizationOfTheSourcesOwnTargetJoinsItAndDevicesGetIt() {
        // ONNX Runtime's basic level keeps format, precision and target: the result has the very
        // target of the uploaded source, and the version holds both (one unoptimized, one optimized).
        String p = Api.uniqueName("same");
        conversions.profile(profileBody(p + "-basic", Map.of("converter", "ort-optimize", "params", Map.of("level", "basic")),
                ANY_ONNX, null));
        String m = published("conv-same", "1.0.0", mlp(61));
        List<Map<String, Object>> jobs = jobsOf(m, "1.0.0");
        assertEquals(1, jobs.size(), "the profile is not skipped for the source's target: " + jobs);
        JsonPath job = await(((Number) jobs.get(0).get("id")).longValue(), "succeeded", WAIT);
        JsonPath opt = viewer().get(job.getString("resultUrl")).then().statusCode(200).extract().jsonPath();
        JsonPath source = viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts/model.onnx", m).then().statusCode(200)
                .extract().jsonPath();
        assertTrue(opt.getBoolean("optimized"));
        assertEquals(false, source.getBoolean("optimized"));
        assertEquals(source.getMap("target"), opt.getMap("target"));
        viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts", m).then().statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(2));
        // Asked for again, the same optimization is the same job; the source's target is no obstacle.
        assertEquals(0, request(m, "1.0.0", Map.of("profiles", List.of(p + "-basic")), 200).getInt("created"));

        // A device that can run either gets the optimized file.
        String device = Api.uniqueName("same-dev");
        String token = Api.publisher().contentType("application/json").body(Map.of("controllerId", device))
                .post("/api/v1/devices").then().statusCode(201).extract().path("token");
        io.restassured.RestAssured.given().header("Authorization", "TargetToken " + token).contentType("application/json")
                .body(Map.of("mode", "merge", "data", Map.of("arch", "x86_64", "runtime.onnxruntime", "1.20.0", "os", "linux")))
                .put("/DEFAULT/controller/v1/" + device + "/configData").then().statusCode(200);
        JsonPath deployed = Api.publisher().contentType("application/json")
                .body(Map.of("model", m, "version", "1.0.0", "device", device, "type", "forced"))
                .post("/api/v1/deployments").then().statusCode(201).extract().jsonPath();
        assertEquals(opt.getString("filename"), deployed.getString("actions[0].artifact.filename"));
    }

    @Test
    void resultsAreCheckedOnTheVersionsSelfTestVectorsAsDevicesWillCheckThem() throws Exception {
        Map<String, Object> int8 = Conversions.adHoc("st-int8", builtin("int8-weights-qdq"), Map.of("format", "onnx", "precision", "int8"));
        int8.put("tolerance", Map.of("maxAbsError", 5e-2, "minCosine", 0.999));

        String loose = publishedWithSelfTest("conv-st", mlp(33), 0.05);
        JsonPath ok = await(requestOne(loose, "1.0.0", int8), "succeeded", WAIT);
        JsonPath a = viewer().get(ok.getString("resultUrl")).then().statusCode(200).extract().jsonPath();
        assertEquals(1, a.getInt("metadata.equivalence.inputs.selfTestCases"));
        assertTrue(a.getDouble("metadata.equivalence.selfTest.maxErrorToExpected") <= 0.05);
        assertTrue(a.getDouble("metadata.equivalence.selfTest.maxErrorToExpected") > 0, "int8 is not exact");
        assertTrue(Conversions.log(ok.getLong("id")).contains("self-test cases"));

        // Vectors stricter than int8 can meet: devices would refuse the result, so the job fails.
        String strict = publishedWithSelfTest("conv-st-strict", mlp(33), 1e-7);
        JsonPath failed = await(requestOne(strict, "1.0.0", int8), "failed", WAIT);
        assertTrue(failed.getString("error").contains("fails the version's self-test vectors: case 'ramp', output 'y' is off by"),
                failed.getString("error"));
        viewer().get("/api/v1/models/{m}/versions/1.0.0/artifacts?origin=converted", strict).then()
                .body("total", org.hamcrest.Matchers.equalTo(0));
    }

    @Test
    void aReplicaStartingBesideARunningJobLeavesItsWorkAlone() throws Exception {
        String m = published("conv-beside", "1.0.0", mlp(43));
        Path gate = Files.createTempDirectory("conversion-gate").resolve("open");
        Path waiting = gate.resolveSibling("waiting");
        // The command says when it runs (its work directory holds the source then) and waits for the gate.
        long id = requestOne(m, "1.0.0", Conversions.adHoc("gated",
                command(120, "onnx", "/bin/sh", "-c", "touch \"$1\"; while [ ! -e \"$2\" ]; do sleep 0.1; done; cp \"$3\" \"$4\"",
                        "sh", waiting.toString(), gate.toString(), "{input}", "{output}"),
                Map.of("format", "onnx", "arch", "x86_64")));
        Duration wait = Duration.ofSeconds(90);
        Api.await("the job's command to start", wait, () -> Files.exists(waiting));

        // What a replica starting on the same data directory does, whatever its host is called
        // (containers and services often all have one name), and this one's own cleanup.
        WorkDirectories starting = new WorkDirectories(config.dataDir().resolve("conversion"));
        try {
            starting.removeDead();
        } finally {
            starting.release();
        }
        runner.removeLeftovers();
        Files.createFile(gate);
        JsonPath j = await(id, "succeeded", wait);
        assertEquals(1, j.getInt("attempts"), j.prettify());
    }

    @Test
    void cancellingARunningJobKillsItsProcess() {
        String m = published("conv-cancel", "1.0.0", mlp(41));
        long id = requestOne(m, "1.0.0", Conversions.adHoc("sleepy",
                command(3600, "onnx", "/bin/sh", "-c", "sleep 3600; cp \"$1\" \"$2\"", "sh", "{input}", "{output}"),
                Map.of("format", "onnx", "arch", "x86_64")));
        await(id, "running", WAIT);
        Conversions.sleep(300);
        Api.publisher().post("/api/v1/conversion/jobs/{id}/cancel", id).then().statusCode(200);
        // The command would run for an hour and its timeout is as long: cancelled within the wait
        // means it was stopped, not waited for. No stopwatch, so a busy machine cannot fail this.
        JsonPath j = await(id, "cancelled", WAIT);
        assertTrue(Conversions.log(id).contains("cancel requested"), Conversions.log(id));
        assertTrue(ProcessHandle.current().descendants().noneMatch(ph -> ph.info().commandLine().orElse("").contains("sleep 3600")),
                "the command and its children are gone");
        assertEquals(null, j.getString("resultArtifactId"));
        // A finished job cannot be cancelled; a cancelled one can run again.
        Api.publisher().post("/api/v1/conversion/jobs/{id}/cancel", id).then().statusCode(200);
    }

    @Test
    void aTransientStorageFailureIsRetriedAfterABackoff() throws Exception {
        byte[] bytes = mlp(51);
        String m = published("conv-retry", "1.0.0", bytes);
        String sha = Api.sha256(bytes);
        Path blob = dev.modelyard.server.TestServer.dataDir().resolve("blobs/sha256").resolve(sha.substring(0, 2)).resolve(sha);
        Path aside = blob.resolveSibling(sha + ".aside");
        Files.move(blob, aside);
        Map<String, Object> body = Conversions.adHoc("fp16", builtin("fp16-weights"), Map.of("format", "onnx", "precision", "fp16"));
        body.put("tolerance", Map.of("maxAbsError", 1e-2, "minCosine", 0.9999));
        body.put("maxAttempts", 5);
        long id = requestOne(m, "1.0.0", body);
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            JsonPath j;
            boolean backingOff;
            do {
                Conversions.sleep(20);
                j = Conversions.job(id);
                backingOff = j.getInt("attempts") >= 1 && j.getString("status").equals("queued");
            } while (!backingOff && System.nanoTime() - deadline < 0);
            assertTrue(backingOff, "queued again after a failed attempt: " + j.prettify());
            assertTrue(j.getString("error").startsWith("storage:"), j.getString("error"));
            assertNotNull(j.getString("nextRunAt"));
        } finally {
            Files.move(aside, blob);
        }
        JsonPath done = await(id, "succeeded", WAIT);
        assertTrue(done.getInt("attempts") >= 2, "succeeded on a later attempt");
        assertTrue(Conversions.log(id).contains("transient failure: storage:"), Conversions.log(id));
        assertTrue(Conversions.log(id).contains("retrying in 1 s"), Conversions.log(id));
    }

    @Test
    void aTransientFailureThatLastsFailsTheJobOnceItsAttemptsAreUsedUp() throws Exception {
        byte[] bytes = mlp(55);
        String m = published("conv-giveup", "1.0.0", bytes);
        String sha = Api.sha256(bytes);
        Path blob = dev.modelyard.server.TestServer.dataDir().resolve("blobs/sha256").resolve(sha.substring(0, 2)).resolve(sha);
        Path aside = blob.resolveSibling(sha + ".aside");
        Files.move(blob, aside);
        try {
            Map<String, Object> body = Conversions.adHoc("opt", builtin("ort-optimize"), Map.of("format", "onnx", "arch", "x86_64"));
            body.put("maxAttempts", 2);
            JsonPath j = await(requestOne(m, "1.0.0", body), "failed", WAIT);
            assertEquals(2, j.getInt("attempts"));
            assertTrue(j.getString("error").startsWith("gave up after 2 attempts; last error: storage:"), j.getString("error"));
        } finally {
            Files.move(aside, blob);
        }
    }

    @Test
    void aRunningJobWhoseLeaseExpiredIsTakenOverAndCompletesOnce() throws Exception {
        byte[] bytes = mlp(61);
        String m = published("conv-lease", "1.0.0", bytes);
        Map<String, Object> chain = Conversions.adHoc("opt", builtin("ort-optimize"), Map.of("format", "onnx", "arch", "x86_64"));
        long first = requestOne(m, "1.0.0", chain);
        await(first, "succeeded", WAIT);

        // Version 1.1.0 holds the same bytes; its job is left RUNNING by a replica that died.
        Api.createVersion(m, "1.1.0");
        Api.upload(m, "1.1.0", "model.onnx", bytes, null).then().statusCode(201);
        publish(m, "1.1.0");
        String sourceId = viewer().get("/api/v1/models/{m}/versions/1.1.0/artifacts/model.onnx", m).then().extract().path("id");
        long orphan = orphan(first, sourceId, 1);
        JsonPath j = await(orphan, "succeeded", WAIT);
        assertEquals(2, j.getInt("attempts"));
        assertTrue(Conversions.log(orphan).contains("the lease of crashed-replica#0000 expired"), Conversions.log(orphan));
        viewer().get("/api/v1/models/{m}/versions/1.1.0/artifacts?origin=converted", m).then()
                .body("total", org.hamcrest.Matchers.equalTo(1));
        // Asking for it again finds that job, not a new one.
        JsonPath again = request(m, "1.1.0", chain, 200);
        assertEquals(orphan, again.getLong("jobs[0].id"));

        // A job whose replica died during its last attempt is not run again.
        Api.createVersion(m, "1.2.0");
        Api.upload(m, "1.2.0", "model.onnx", bytes, null).then().statusCode(201);
        publish(m, "1.2.0");
        String source2 = viewer().get("/api/v1/models/{m}/versions/1.2.0/artifacts/model.onnx", m).then().extract().path("id");
        JsonPath exhausted = await(orphan(first, source2, 3), "failed", WAIT);
        assertTrue(exhausted.getString("error").startsWith("gave up after 3 attempts"), exhausted.getString("error"));
    }

    /** A copy of job {@code template} for another version's source, left RUNNING by a replica that died. */
    private long orphan(long template, String sourceId, int attempts) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO conversion_job (tenant, version_id, source_artifact_id, profile_name, spec, filename,
                    idempotency_key, status, attempts, max_attempts, timeout_seconds, next_run_at, lease_owner,
                    lease_expires_at, created_at, updated_at, started_at, created_by)
                SELECT j.tenant, a.version_id, a.id, j.profile_name, j.spec, j.filename, j.idempotency_key, 'RUNNING', ?,
                    j.max_attempts, j.timeout_seconds, now(), 'crashed-replica#0000', now() - interval '1 second',
                    now(), now(), now(), j.created_by
                FROM conversion_job j, artifact a WHERE j.id = ? AND a.id = ?::uuid
                RETURNING id""")) {
            s.setInt(1, attempts);
            s.setLong(2, template);
            s.setString(3, sourceId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
