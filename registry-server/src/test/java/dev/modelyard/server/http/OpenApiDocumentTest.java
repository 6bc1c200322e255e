package dev.modelyard.server.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed OpenAPI document (docs/openapi) is the one this build produces and the server
 * serves: clients are generated from it. The build writes it to target/openapi (also when it
 * starts the application for tests); it is deterministic (no servers entry, sorted paths, schemas
 * and responses), so it changes only when the API does, and then this test says what to copy.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final Path COMMITTED = Path.of("..", "docs", "openapi");
    private static final Path BUILT = Path.of("target", "openapi");

    @Test
    void committedDocumentIsTheBuiltOne() throws IOException {
        StringBuilder stale = new StringBuilder();
        for (String format : List.of("json", "yaml")) {
            Path built = BUILT.resolve("openapi." + format);
            assertTrue(Files.exists(built), built + " is missing: the build stores the document there "
                    + "(quarkus.smallrye-openapi.store-schema-directory)");
            Path committed = COMMITTED.resolve("openapi." + format);
            String text = Files.exists(committed) ? Files.readString(committed, StandardCharsets.UTF_8) : "";
            String fresh = Files.readString(built, StandardCharsets.UTF_8);
            if (!normalized(text).equals(normalized(fresh))) {
                stale.append("\n  ").append(committed.normalize()).append(": ").append(firstDifference(text, fresh));
            }
        }
        if (!stale.isEmpty()) {
            fail("docs/openapi is not the document this build produces: the API changed. Review it and commit it: "
                    + "cp registry-server/target/openapi/openapi.* docs/openapi/" + stale);
        }
    }

    /** The server serves the same document (its serializer orders the members of a schema differently). */
    @Test
    void servedDocumentIsTheCommittedOne() throws IOException {
        String served = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree(COMMITTED.resolve("openapi.json").toFile()), json.readTree(served),
                "GET /q/openapi differs from docs/openapi/openapi.json");
    }

    private static String normalized(String text) {
        return text.replace("\r\n", "\n").strip();
    }

    private static String firstDifference(String committed, String built) {
        String[] a = normalized(committed).split("\n", -1);
        String[] b = normalized(built).split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end>";
            String y = i < b.length ? b[i] : "<end>";
            if (!x.equals(y)) return "line " + (i + 1) + " is '" + x.strip() + "', built '" + y.strip() + "'";
        }
        return "line endings differ";
    }
}
