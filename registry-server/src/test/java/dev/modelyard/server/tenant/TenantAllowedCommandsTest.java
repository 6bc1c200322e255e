package dev.modelyard.server.tenant;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.modelyard.server.OperatorSettingsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Once the operator names the allowed programs, every tenant's admins may run those, and only those. */
@QuarkusTest
@TestProfile(OperatorSettingsProfile.class)
class TenantAllowedCommandsTest {

    private static Map<String, Object> profile(String name, String... argv) {
        return Map.of("name", name, "target", Map.of("format", "onnx"), "steps", List.of(Map.of("type", "command",
                "command", List.of(argv), "timeoutSeconds", 10, "outputFormat", "onnx")));
    }

    @Test
    void anotherTenantsAdminRunsOnlyTheAllowedPrograms() {
        String tenant = dev.modelyard.server.Api.uniqueName("allowed");
        String admin = Teams.createTenant(tenant).getString("adminToken.token");
        dev.modelyard.server.Api.as(admin).contentType(ContentType.JSON).body(profile("copy", "/bin/cp", "{input}", "{output}"))
                .post("/api/v1/conversion/profiles").then().statusCode(201);
        dev.modelyard.server.Api.as(admin).contentType(ContentType.JSON)
                .body(profile("environ", "/bin/sh", "-c", "cat /proc/$PPID/environ > {output}"))
                .post("/api/v1/conversion/profiles").then().statusCode(400)
                .body("detail", containsString("not in modelyard.conversion.allowed-commands"));
        dev.modelyard.server.Api.as(admin).get("/api/v1/conversion/profiles/copy").then().statusCode(200)
                .body("steps[0].command[0]", equalTo("/bin/cp"));
    }
}
