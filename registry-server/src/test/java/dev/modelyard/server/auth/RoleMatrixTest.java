package dev.modelyard.server.auth;

import static dev.modelyard.server.Api.admin;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelyard.server.Api;
import dev.modelyard.server.http.ApiResponsesFilter;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The role matrix, generated from the served OpenAPI document: every operation × every built-in role and a
 * custom one answers 403 exactly when the role lacks the permission the operation names
 * ({@value ApiResponsesFilter#PERMISSION_EXTENSION}), and never otherwise. An operation that names no
 * permission fails the test unless it is one of the known public ones or a device (DDI) operation, so a new
 * endpoint without a rule cannot go unnoticed.
 * <p>
 * Requests name things that do not exist and carry empty bodies, so an allowed call ends in 400 or 404 and
 * changes nothing; what is checked is only whether the permission check let it through.
 */
@QuarkusTest
class RoleMatrixTest {

    /**
     * Open to anyone on purpose: the trust bundle devices are provisioned with, and the git hosts'
     * webhook (its body's HMAC signature is its credential).
     */
    private static final Set<String> PUBLIC = Set.of(
            "GET /api/v1/trust/roots", "GET /api/v1/trust/roots/{version}", "GET /api/v1/trust/roots/latest",
            "POST /hooks/git/{tenant}/{name}");
    /** Skipped by the contract check: these requests are placeholders, not meaningful calls. */
    private static final String NOT_OBSERVED = "X-Not-Observed";
    private static final String ABSENT = "matrix-absent";
    private static final String ABSENT_ID = "987654321";
    private static final String ABSENT_UUID = "00000000-0000-0000-0000-0000000000ab";
    /** A custom role that cuts across resources and actions. */
    private static final List<String> CUSTOM = List.of(Permission.MODELS_READ, Permission.ARTIFACTS_CREATE,
            Permission.DEVICES_DELETE, Permission.DEPLOYMENTS_UPDATE, Permission.KEYS_READ, Permission.ROLES_READ,
            Permission.TOKENS_READ, Permission.PROFILES_DELETE);

    private record Op(String method, String path, JsonNode spec) {
        String key() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    @Test
    void everyOperationAnswers403ExactlyWhenTheRoleLacksItsPermission() throws Exception {
        JsonNode document = new ObjectMapper().readTree(given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString());
        Map<String, Op> protectedOps = new LinkedHashMap<>();
        Map<String, Op> anyTokenOps = new LinkedHashMap<>();
        List<String> withoutRule = new ArrayList<>();
        for (Op op : operations(document)) {
            JsonNode permission = op.spec().get(ApiResponsesFilter.PERMISSION_EXTENSION);
            if (op.spec().path(ApiResponsesFilter.AUTHENTICATED_EXTENSION).asBoolean(false)) {
                anyTokenOps.put(op.key(), op);
            } else if (permission != null) {
                for (String p : permissions(permission)) assertTrue(Permission.ALL.contains(p), op.key() + " names an unknown permission " + permission);
                protectedOps.put(op.key(), op);
            } else if (!PUBLIC.contains(op.key()) && !isDeviceOperation(op)) {
                withoutRule.add(op.key());
            }
        }
        assertEquals(List.of(), withoutRule, "operations with no permission rule that are not known to be public");
        assertTrue(protectedOps.size() > 50, "the document lists the management operations: " + protectedOps.size());

        String customRole = Api.uniqueName("matrix-role");
        admin().contentType(ContentType.JSON).body(Map.of("name", customRole, "permissions", CUSTOM))
                .post("/api/v1/roles").then().statusCode(201);
        Map<String, Set<String>> roles = new LinkedHashMap<>();
        for (Role r : Role.values()) roles.put(r.wireName(), r.permissions());
        roles.put(customRole, Set.copyOf(CUSTOM));

        List<String> wrong = new ArrayList<>();
        int calls = 0;
        for (var role : roles.entrySet()) {
            String token = Api.token(role.getKey());
            for (Op op : protectedOps.values()) {
                List<String> any = permissions(op.spec().get(ApiResponsesFilter.PERMISSION_EXTENSION));
                String needed = String.join(" or ", any);
                boolean allowed = any.stream().anyMatch(role.getValue()::contains);
                int status = call(token, op);
                calls++;
                if ((status == 403) == allowed) {
                    wrong.add(role.getKey() + " × " + op.key() + " (" + needed + "): " + status
                            + (allowed ? ", but the role holds the permission" : ", but the role lacks the permission"));
                }
            }
            for (Op op : anyTokenOps.values()) {
                int status = call(token, op);
                calls++;
                if (status == 401 || status == 403) wrong.add(role.getKey() + " × " + op.key() + " (any token): " + status);
            }
        }
        assertEquals(List.of(), wrong, "role matrix over " + calls + " calls");
    }

    /** The extension names one permission, or a list of which any one will do (the live event stream's). */
    private static List<String> permissions(JsonNode extension) {
        if (!extension.isArray()) return List.of(extension.asText());
        List<String> out = new ArrayList<>();
        extension.forEach(p -> out.add(p.asText()));
        return out;
    }

    private static List<Op> operations(JsonNode document) {
        List<Op> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (Set.of("get", "head", "post", "put", "patch", "delete").contains(method.getKey())) {
                    ops.add(new Op(method.getKey(), path.getKey(), method.getValue()));
                }
            }
        }
        return ops;
    }

    private static boolean isDeviceOperation(Op op) {
        for (JsonNode requirement : op.spec().path("security")) {
            if (requirement.has("deviceToken")) return true;
        }
        return false;
    }

    private static int call(String token, Op op) {
        RequestSpecification request = given().header("Authorization", "Bearer " + token).header(NOT_OBSERVED, "1");
        String path = op.path();
        for (JsonNode parameter : op.spec().path("parameters")) {
            if (!parameter.path("in").asText().equals("path")) continue;
            path = path.replace("{" + parameter.path("name").asText() + "}", placeholder(parameter.path("schema")));
        }
        JsonNode content = op.spec().path("requestBody").path("content");
        if (!content.isMissingNode()) {
            String mediaType = content.fieldNames().next();
            request = mediaType.contains("json") ? request.contentType(mediaType).body("{}")
                    : mediaType.startsWith("multipart/") ? request.multiPart("description", "none")
                    : request.contentType(mediaType).body(new byte[] {1, 2, 3});
            if (op.path().contains("/uploads/")) request = request.header("Upload-Offset", "0");
        }
        return request.request(op.method().toUpperCase(Locale.ROOT), path).then().extract().statusCode();
    }

    private static String placeholder(JsonNode schema) {
        if (schema.path("$ref").asText().endsWith("/UUID")) return ABSENT_UUID;
        if (schema.path("type").asText().equals("integer")) return ABSENT_ID;
        return ABSENT;
    }
}
