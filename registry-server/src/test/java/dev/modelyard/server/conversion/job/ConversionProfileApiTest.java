package dev.modelyard.server.conversion.job;

import static dev.modelyard.server.Api.admin;
import static dev.modelyard.server.Api.publisher;
import static dev.modelyard.server.Api.viewer;
import static dev.modelyard.server.conversion.job.Conversions.builtin;
import static dev.modelyard.server.conversion.job.Conversions.command;
import static dev.modelyard.server.conversion.job.Conversions.profileBody;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Target profiles: validation, defaults and who may write what. */
@QuarkusTest
class ConversionProfileApiTest {

    private static final String BASE = "/api/v1/conversion/profiles";

    @Test
    void aProfileIsStoredWithItsDefaultsAndCanBeReplacedAndDeleted() {
        String name = Api.uniqueName("aarch64-cpu-int8");
        Map<String, Object> body = profileBody(name, Map.of("converter", "int8-weights-qdq", "params", Map.of("perChannel", false)),
                Map.of("format", "onnx", "arch", "aarch64", "precision", "int8", "minMemoryMb", 64),
                Map.of("maxAbsError", 0.05, "minCosine", 0.999));
        body.put("enabled", false);
        publisher().contentType(ContentType.JSON).body(body).post(BASE).then().statusCode(201)
                .header("Location", containsString(BASE + "/" + name))
                .body("steps[0].type", equalTo("builtin"))
                .body("steps[0].params.perChannel", equalTo(false))
                .body("steps[0].params.minElements", equalTo(16))
                .body("target.runtime", equalTo("onnxruntime"))
                .body("target.accelerator", equalTo("cpu"))
                .body("tolerance.minCosine", equalTo(0.999f))
                .body("enabled", equalTo(false))
                .body("maxAttempts", equalTo(3));
        viewer().get(BASE + "/{n}", name).then().statusCode(200).body("target.minMemoryMb", equalTo(64));
        publisher().contentType(ContentType.JSON).body(body).post(BASE).then().statusCode(409);
        body.put("description", "int8 for the fleet");
        publisher().contentType(ContentType.JSON).body(body).put(BASE + "/{n}", name).then().statusCode(200)
                .body("description", equalTo("int8 for the fleet"));
        viewer().contentType(ContentType.JSON).body(body).put(BASE + "/{n}", name).then().statusCode(403);
        publisher().delete(BASE + "/{n}", name).then().statusCode(204);
        viewer().get(BASE + "/{n}", name).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void invalidProfilesAre400WithTheField() {
        String name = Api.uniqueName("bad");
        expect400(profileBody(name, builtin("tflite-magic"), Map.of("format", "onnx"), null), "steps[0].converter");
        expect400(profileBody(name, Map.of("converter", "fp16-weights", "params", Map.of("level", "all")), Map.of("format", "onnx"), null),
                "unknown field 'steps[0].params.level'; accepted: minElements");
        expect400(profileBody(name, builtin("ort-format"), Map.of("format", "onnx"), null), "the last step writes 'ort'");
        expect400(profileBody(name, builtin("ort-optimize"), Map.of("format", "onnx", "arch", "sparc"), null), "arch");
        expect400(profileBody(name, command(10, "onnx", "cp", "{input}", "{output}"), Map.of("format", "onnx"), null), "absolute path");
        expect400(profileBody(name, command(10, "onnx", "/bin/cp", "{input}", "{param:x}"), Map.of("format", "onnx"), null), "{param:x}");
        expect400(profileBody(name, command(10, "onnx", "/bin/cp", "{input}"), Map.of("format", "onnx"), null), "{output}");
        Map<String, Object> noSteps = profileBody(name, builtin("ort-optimize"), Map.of("format", "onnx"), null);
        noSteps.put("steps", List.of());
        expect400(noSteps, "steps");
    }

    @Test
    void onlyAdminsDefineCommandSteps() {
        String name = Api.uniqueName("cmd");
        Map<String, Object> body = profileBody(name, command(10, "onnx", "/bin/cp", "{input}", "{output}"),
                Map.of("format", "onnx", "arch", "x86_64"), null);
        body.put("enabled", false);
        publisher().contentType(ContentType.JSON).body(body).post(BASE).then().statusCode(403)
                .body("detail", containsString("only admins"));
        admin().contentType(ContentType.JSON).body(body).post(BASE).then().statusCode(201)
                .body("steps[0].command[0]", equalTo("/bin/cp"));
        publisher().delete(BASE + "/{n}", name).then().statusCode(403);
        admin().delete(BASE + "/{n}", name).then().statusCode(204);
    }

    /** The console shows a refusal at its input: every chain refusal names the JSON path of the field in {@code field}. */
    @Test
    void chainRefusalsNameTheirFieldForForms() {
        String name = Api.uniqueName("bad-field");
        expectField(profileBody(name, builtin("tflite-magic"), Map.of("format", "onnx"), null), "steps[0].converter");
        expectField(profileBody(name, builtin("ort-format"), Map.of("format", "onnx"), null), "target.format");
        expectField(profileBody(name, builtin("ort-optimize"), Map.of("format", "onnx", "arch", "sparc"), null), "target.arch");
        expectField(profileBody(name, command(10, "onnx", "cp", "{input}", "{output}"), Map.of("format", "onnx"), null),
                "steps[0].command[0]");
        expectField(profileBody(name, builtin("ort-optimize"), Map.of("format", "onnx"), Map.of("minCosine", 2)), "tolerance.minCosine");
        expectField(profileBody(name, builtin("ort-optimize"), Map.of("format", "onnx", "cpuFeatures", List.of("avx2")), null),
                "target.cpuFeatures");
        expectField(profileBody(name, builtin("ort-optimize"), Map.of("format", "onnx", "arch", "x86_64", "cpuFeatures", List.of("-avx2")), null),
                "target.cpuFeatures");
        Map<String, Object> notAnOptimizer = profileBody(name, builtin("fp16-weights"), Map.of("format", "onnx", "precision", "fp16"), null);
        notAnOptimizer.put("optimized", true);
        expectField(notAnOptimizer, "optimized");
    }

    @Test
    void aProfileNamesTheCpuFeaturesItsResultNeedsAndSaysWhetherItOptimizes() {
        String name = Api.uniqueName("arm-neon");
        Map<String, Object> body = profileBody(name, builtin("ort-optimize"),
                Map.of("format", "onnx", "arch", "aarch64", "cpuFeatures", List.of("asimd", "asimddp")), null);
        body.put("enabled", false);
        publisher().contentType(ContentType.JSON).body(body).post(BASE).then().statusCode(201)
                .body("target.cpuFeatures", equalTo(List.of("dotprod", "neon")))
                .body("optimized", equalTo(true));
        publisher().delete(BASE + "/{n}", name).then().statusCode(204);
        String half = Api.uniqueName("half");
        Map<String, Object> fp16 = profileBody(half, builtin("fp16-weights"), Map.of("format", "onnx", "precision", "fp16"), null);
        fp16.put("enabled", false);
        publisher().contentType(ContentType.JSON).body(fp16).post(BASE).then().statusCode(201)
                .body("target.cpuFeatures", equalTo(List.of())).body("optimized", equalTo(false));
        publisher().delete(BASE + "/{n}", half).then().statusCode(204);
    }

    private static void expectField(Map<String, Object> body, String field) {
        admin().contentType(ContentType.JSON).body(body).post(BASE).then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo(field)).body("detail", containsString(field + ":"));
    }

    private static void expect400(Map<String, Object> body, String detail) {
        admin().contentType(ContentType.JSON).body(body).post(BASE).then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString(detail));
    }
}
