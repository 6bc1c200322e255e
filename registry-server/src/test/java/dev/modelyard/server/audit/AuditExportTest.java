package dev.modelyard.server.audit;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** GET /api/v1/audit/export: the filtered trail as CSV, escaped, formula-safe and streamed in batches. */
@QuarkusTest
class AuditExportTest {

    @Test
    void theExportHoldsWhatTheSameFilterLists() {
        String requestId = "csv-" + UUID.randomUUID();
        String name = Api.uniqueName("csv-model");
        Api.publisher().header(AuditRecorder.REQUEST_ID, requestId).contentType(ContentType.JSON)
                .body(Map.of("name", name, "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(201);
        String csv = Api.admin().queryParam("requestId", requestId).get("/api/v1/audit/export").then().statusCode(200)
                .contentType(containsString("text/csv"))
                .header("Content-Disposition", containsString("attachment; filename=\"audit-default.csv\""))
                .extract().asString();
        String[] lines = csv.split("\r\n");
        assertEquals(2, lines.length, csv);
        assertEquals(String.join(",", AuditCsv.COLUMNS), lines[0]);
        assertTrue(lines[1].contains(",POST /api/v1/models,models," + name + ",201," + requestId + ","), lines[1]);
    }

    @Test
    void aFormulaInAFreeTextCellIsNeutralised() {
        String requestId = "csv-" + UUID.randomUUID();
        // A refused call is audited too, with the path's names as its target: free text a caller chose.
        Api.admin().urlEncodingEnabled(false).header(AuditRecorder.REQUEST_ID, requestId).contentType(ContentType.JSON)
                .body(Map.of("version", "1.0.0")).post("/api/v1/models/=HYPERLINK(%22x%22,%22y%22)/versions")
                .then().statusCode(404);
        String csv = Api.admin().queryParam("requestId", requestId).get("/api/v1/audit/export").then().statusCode(200)
                .extract().asString();
        assertTrue(csv.contains(",\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")"), csv);
    }

    @Test
    void badFiltersAreRefusedLikeTheList() {
        Api.admin().get("/api/v1/audit/export?outcome=42").then().statusCode(400).body("parameter", equalTo("outcome"));
        Api.admin().get("/api/v1/audit/export?page=1").then().statusCode(400).body("code", equalTo("unknown-query-parameter"));
        Api.viewer().get("/api/v1/audit/export").then().statusCode(403);
    }

    @Test
    void cellsAreEscapedAndRowsStreamInBatches() throws Exception {
        assertEquals("", AuditCsv.cell(null));
        assertEquals("plain", AuditCsv.cell("plain"));
        assertEquals("\"a,b\"", AuditCsv.cell("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", AuditCsv.cell("say \"hi\""));
        assertEquals("\"two\nlines\"", AuditCsv.cell("two\nlines"));
        for (String risky : List.of("=1+1", "+1", "-1", "@SUM(A1)", "\tx")) {
            assertTrue(AuditCsv.cell(risky).replace("\"", "").startsWith("'"), risky);
        }
        // German Excel splits on ';', others on a tab: such cells are quoted too, and still neutralised.
        assertEquals("\"a;b\"", AuditCsv.cell("a;b"));
        assertEquals("\"a\tb\"", AuditCsv.cell("a\tb"));
        assertEquals("\"'=1;2\"", AuditCsv.cell("=1;2"));
        assertEquals("\"'\tx\"", AuditCsv.cell("\tx"));
        assertEquals("\"'@a\tb\"", AuditCsv.cell("@a\tb"));
        List<dev.modelyard.wire.audit.AuditEntry> all = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            all.add(new dev.modelyard.wire.audit.AuditEntry("t", i, Instant.parse("2026-12-01T10:00:00Z"), null, "system",
                    "POST /api/v1/x", "x", "id-" + i, null, Map.of("k", "v,w"), 200, "r" + i, null, "0".repeat(64), "h" + i));
        }
        List<Long> asked = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AuditCsv.write(out, after -> {
            asked.add(after);
            return all.stream().filter(e -> e.seq() > after).limit(2).toList();
        });
        String csv = out.toString(StandardCharsets.UTF_8);
        assertEquals(List.of(0L, 2L, 4L, 5L), asked);
        assertEquals(6, csv.split("\r\n").length, csv);
        assertTrue(csv.contains("\"{\"\"k\"\":\"\"v,w\"\"}\""), csv);
    }
}
