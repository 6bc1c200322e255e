package dev.modelyard.server.audit;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuditTrailTest {

    @Inject
    DataSource database;

    /** The one entry a request id names. */
    static JsonPath entry(String requestId) {
        JsonPath page = Api.admin().queryParam("requestId", requestId).get("/api/v1/audit")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1, page.getInt("total"), () -> "entries with request id " + requestId + ": " + page.prettify());
        return new JsonPath(page.prettify()).setRootPath("items[0]");
    }

    static String requestId() {
        return "test-" + UUID.randomUUID();
    }

    @Test
    void aCreationNamesWhoWhatAndTheStateItMade() {
        String id = requestId();
        String name = Api.uniqueName("audited");
        Api.publisher().header(AuditRecorder.REQUEST_ID, id).contentType(ContentType.JSON)
                .body(Map.of("name", name, "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(201).header(AuditRecorder.REQUEST_ID, id);
        JsonPath e = entry(id);
        assertEquals("POST /api/v1/models", e.getString("action"));
        assertEquals("models", e.getString("targetType"));
        assertEquals(name, e.getString("targetId"));
        assertEquals(201, e.getInt("outcome"));
        assertEquals("default", e.getString("tenant"));
        assertTrue(e.getString("actorName").startsWith("test-publisher-"), e.getString("actorName"));
        assertEquals(36, e.getString("actorId").length());
        assertTrue(e.getString("source").matches("127\\.0\\.0\\.1|0:0:0:0:0:0:0:1|::1"), e.getString("source"));
        Map<String, Object> after = e.getMap("after");
        assertEquals(1, after.size(), after::toString);
        String key = after.keySet().iterator().next();
        assertTrue(key.startsWith("Model "), key);
        assertEquals(name, e.getString("after.'" + key + "'.name"));
        assertFalse(e.getMap("after.'" + key + "'").containsKey("tenant"), "the entry names the tenant; the snapshot does not repeat it");
        assertNull(e.get("before.'" + key + "'"));
        assertTrue(e.getString("at").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"), e.getString("at"));
    }

    @Test
    void anUpdateKeepsOnlyWhatChanged() {
        String model = Api.createModel("audited");
        String id = requestId();
        Api.publisher().header(AuditRecorder.REQUEST_ID, id).contentType(ContentType.JSON)
                .body(Map.of("description", "new words")).patch("/api/v1/models/{m}", model).then().statusCode(200);
        JsonPath e = entry(id);
        assertEquals("PATCH /api/v1/models/{model}", e.getString("action"));
        assertEquals(model, e.getString("targetId"));
        Map<String, Object> before = e.getMap("before");
        String key = before.keySet().stream().filter(k -> k.startsWith("Model ")).findFirst().orElseThrow();
        assertEquals("new words", e.getString("after.'" + key + "'.description"));
        assertTrue(e.getMap("before.'" + key + "'").containsKey("description"));
        assertFalse(e.getMap("after.'" + key + "'").containsKey("name"), "unchanged properties are left out");
    }

    @Test
    void refusedCallsAreRecordedWithTheirStatusAndNoChange() {
        String forbidden = requestId();
        Api.viewer().header(AuditRecorder.REQUEST_ID, forbidden).contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("nope"), "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(403).header(AuditRecorder.REQUEST_ID, forbidden);
        JsonPath e = entry(forbidden);
        assertEquals(403, e.getInt("outcome"));
        assertNull(e.get("before"));
        assertNull(e.get("after"));

        String model = Api.createModel("audited");
        String conflict = requestId();
        Api.publisher().header(AuditRecorder.REQUEST_ID, conflict).contentType(ContentType.JSON)
                .body(Map.of("name", model, "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(409);
        assertEquals(409, entry(conflict).getInt("outcome"));
        assertNull(entry(conflict).get("after"));

        String missing = requestId();
        Api.admin().header(AuditRecorder.REQUEST_ID, missing).delete("/api/v1/devices/{d}", Api.uniqueName("ghost"))
                .then().statusCode(404);
        assertEquals("devices", entry(missing).getString("targetType"));
    }

    @Test
    void callsWithoutAValidTokenAndReadsAreNotRecorded() {
        String anonymous = requestId();
        io.restassured.RestAssured.given().header(AuditRecorder.REQUEST_ID, anonymous).contentType(ContentType.JSON)
                .body(Map.of("name", "x")).post("/api/v1/models").then().statusCode(401);
        String badToken = requestId();
        Api.as("not-a-token").header(AuditRecorder.REQUEST_ID, badToken).contentType(ContentType.JSON)
                .body(Map.of("name", "x")).post("/api/v1/models").then().statusCode(401);
        String read = requestId();
        Api.admin().header(AuditRecorder.REQUEST_ID, read).get("/api/v1/models").then().statusCode(200);
        for (String id : List.of(anonymous, badToken, read)) {
            Api.admin().queryParam("requestId", id).get("/api/v1/audit").then().statusCode(200).body("total", equalTo(0));
        }
    }

    @Test
    void aRequestIdThatIsNotSaneIsReplaced() {
        String sent = "has spaces and \"quotes\"";
        String echoed = Api.publisher().header(AuditRecorder.REQUEST_ID, sent).contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("rid"), "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(201).extract().header(AuditRecorder.REQUEST_ID);
        assertTrue(echoed.matches("[0-9a-f-]{36}"), echoed);
        assertEquals("POST /api/v1/models", entry(echoed).getString("action"));
        String none = Api.publisher().contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("rid"), "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(201).extract().header(AuditRecorder.REQUEST_ID);
        assertEquals(201, entry(none).getInt("outcome"));
    }

    @Test
    void secretsNeverReachTheTrail() throws Exception {
        String issue = requestId();
        String secret = Api.admin().header(AuditRecorder.REQUEST_ID, issue).contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("secret-holder"), "role", "viewer"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        String device = Api.uniqueName("secret-dev");
        String create = requestId();
        String deviceToken = Api.admin().header(AuditRecorder.REQUEST_ID, create).contentType(ContentType.JSON)
                .body(Map.of("controllerId", device)).post("/api/v1/devices").then().statusCode(201).extract().path("token");
        String rotate = requestId();
        String rotated = Api.admin().header(AuditRecorder.REQUEST_ID, rotate).post("/api/v1/devices/{d}/token", device)
                .then().statusCode(200).extract().path("token");
        String hawkbitSecret = "hawkbit-target-secret-" + UUID.randomUUID();
        String target = requestId();
        Api.admin().header(AuditRecorder.REQUEST_ID, target).contentType(ContentType.JSON)
                .body(List.of(Map.of("controllerId", Api.uniqueName("hb-secret"), "name", "t", "securityToken", hawkbitSecret)))
                .post("/rest/v1/targets").then().statusCode(201);

        List<String> secrets = new ArrayList<>();
        for (String s : List.of(secret, deviceToken, rotated, hawkbitSecret)) {
            assertTrue(s != null && s.length() >= 16, "a secret was issued");
            secrets.add(s);
            secrets.add(Api.sha256(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        for (String id : List.of(issue, create, rotate, target)) {
            String stored = storedJson(id);
            for (String s : secrets) assertFalse(stored.contains(s), () -> "entry " + id + " holds a secret: " + stored);
            String listed = entry(id).prettify();
            for (String s : secrets) assertFalse(listed.contains(s), () -> "listed entry " + id + " holds a secret: " + listed);
        }
        // The token's entry says that a hash was set, without it.
        JsonPath issued = entry(issue);
        String key = issued.<String, Object>getMap("after").keySet().iterator().next();
        assertEquals(Snapshots.REDACTED, issued.getString("after.'" + key + "'.tokenHash"));
        JsonPath rotation = entry(rotate);
        String deviceKey = rotation.<String, Object>getMap("after").keySet().iterator().next();
        assertEquals(Snapshots.REDACTED, rotation.getString("after.'" + deviceKey + "'.tokenHash"));
    }

    @Test
    void theTableRefusesUpdateAndDelete() throws SQLException {
        Api.createModel("append-only");
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            SQLException update = assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE audit_entry SET outcome = 200"));
            assertTrue(update.getMessage().contains("append-only"), update.getMessage());
            SQLException delete = assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM audit_entry"));
            assertTrue(delete.getMessage().contains("append-only"), delete.getMessage());
            assertThrows(SQLException.class, () -> s.executeUpdate("TRUNCATE audit_entry"));
        }
    }

    /**
     * A row changed or removed behind the server's back (as a superuser can, with the trigger
     * off) is found by the check; putting it back makes the chain whole again.
     */
    @Test
    void aChangedOrRemovedRowBreaksTheChainThere() throws SQLException {
        String id = requestId();
        Api.publisher().header(AuditRecorder.REQUEST_ID, id).contentType(ContentType.JSON)
                .body(Map.of("name", Api.uniqueName("tamper"), "framework", "pytorch", "task", "classification"))
                .post("/api/v1/models").then().statusCode(201);
        Api.createModel("tamper-after");
        long seq = entry(id).getLong("seq");
        verify().body("intact", equalTo(true)).body("firstBroken", nullValue());

        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica");
            try {
                s.executeUpdate("UPDATE audit_entry SET outcome = 200 WHERE request_id = '" + id + "'");
                verify().body("intact", equalTo(false)).body("firstBroken.seq", equalTo((int) seq))
                        .body("firstBroken.reason", equalTo("its content does not match its hash"));
                s.executeUpdate("UPDATE audit_entry SET outcome = 201 WHERE request_id = '" + id + "'");
                verify().body("intact", equalTo(true));

                s.executeUpdate("UPDATE audit_entry SET after = jsonb_set(after, '{x}', '1.5') WHERE request_id = '" + id + "'");
                verify().body("intact", equalTo(false)).body("firstBroken.seq", equalTo((int) seq));
                s.executeUpdate("UPDATE audit_entry SET after = after - 'x' WHERE request_id = '" + id + "'");
                verify().body("intact", equalTo(true));

                s.execute("CREATE TEMP TABLE saved_entry AS SELECT * FROM audit_entry WHERE request_id = '" + id + "'");
                s.executeUpdate("DELETE FROM audit_entry WHERE request_id = '" + id + "'");
                verify().body("intact", equalTo(false)).body("firstBroken.seq", equalTo((int) seq + 1));
                s.executeUpdate("INSERT INTO audit_entry OVERRIDING SYSTEM VALUE SELECT * FROM saved_entry");
                verify().body("intact", equalTo(true));
            } finally {
                s.execute("SET session_replication_role = DEFAULT");
            }
        }
    }

    @Test
    void concurrentWritersKeepTheChainWhole() throws Exception {
        long before = Api.admin().get("/api/v1/audit").then().statusCode(200).extract().jsonPath().getLong("total");
        int writers = 8;
        int each = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        Api.publisher().contentType(ContentType.JSON)
                                .body(Map.of("name", Api.uniqueName("concurrent"), "framework", "pytorch", "task", "classification"))
                                .post("/api/v1/models").then().statusCode(201);
                    }
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
        long after = Api.admin().get("/api/v1/audit").then().statusCode(200).extract().jsonPath().getLong("total");
        assertTrue(after >= before + writers * each, before + " then " + after);
        verify().body("intact", equalTo(true)).body("checked", equalTo((int) after));
    }

    @Test
    void listFiltersAndPages() {
        String model = Api.createModel("filtered");
        Api.publisher().contentType(ContentType.JSON).body(Map.of("description", "a")).patch("/api/v1/models/{m}", model)
                .then().statusCode(200);
        Api.admin().queryParam("targetType", "models").queryParam("targetId", model).get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(2))
                .body("items[0].action", equalTo("POST /api/v1/models"))
                .body("items[1].action", equalTo("PATCH /api/v1/models/{model}"));
        Api.admin().queryParam("targetId", model).queryParam("action", "PATCH /api/v1/models/{model}")
                .queryParam("outcome", 200).queryParam("from", "2000-01-01T00:00:00Z").get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(1));
        Api.admin().queryParam("targetId", model).queryParam("to", "2000-01-01T00:00:00Z").get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(0));
        Api.admin().queryParam("targetId", model).queryParam("size", 1).queryParam("page", 1).get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(2)).body("items.size()", equalTo(1))
                .body("items[0].action", equalTo("PATCH /api/v1/models/{model}"));
        Api.admin().queryParam("from", "yesterday").get("/api/v1/audit")
                .then().statusCode(400).body("code", equalTo("invalid-parameter")).body("parameter", equalTo("from"));
        Api.admin().queryParam("outcome", 42).get("/api/v1/audit")
                .then().statusCode(400).body("code", equalTo("invalid-parameter"));
        // Newest first on request (the console's default view); oldest, chain order, stays the default.
        Api.admin().queryParam("targetId", model).queryParam("order", "newest").get("/api/v1/audit")
                .then().statusCode(200).body("total", equalTo(2))
                .body("items[0].action", equalTo("PATCH /api/v1/models/{model}"))
                .body("items[1].action", equalTo("POST /api/v1/models"));
        Api.admin().queryParam("targetId", model).queryParam("order", "oldest").get("/api/v1/audit")
                .then().statusCode(200).body("items[0].action", equalTo("POST /api/v1/models"));
        Api.admin().queryParam("order", "sideways").get("/api/v1/audit")
                .then().statusCode(400).body("code", equalTo("invalid-parameter")).body("parameter", equalTo("order"));
    }

    @Test
    void onlyAuditReadersSeeTheTrail() {
        Api.publisher().get("/api/v1/audit").then().statusCode(403);
        Api.viewer().get("/api/v1/audit/verify").then().statusCode(403);
        io.restassured.RestAssured.given().get("/api/v1/audit").then().statusCode(401);
    }

    private static io.restassured.response.ValidatableResponse verify() {
        return Api.admin().get("/api/v1/audit/verify").then().statusCode(200).body("tenant", equalTo("default"));
    }

    /** The entry's before and after as stored, as text. */
    private String storedJson(String requestId) throws SQLException {
        try (Connection c = database.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT coalesce(before::text, '') || coalesce(after::text, '') "
                     + "FROM audit_entry WHERE request_id = ?")) {
            q.setString(1, requestId);
            try (ResultSet r = q.executeQuery()) {
                assertTrue(r.next(), "an entry for " + requestId);
                return r.getString(1);
            }
        }
    }
}
