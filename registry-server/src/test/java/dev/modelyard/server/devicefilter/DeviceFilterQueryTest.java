package dev.modelyard.server.devicefilter;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.server.error.DomainException;
import dev.modelyard.server.error.ErrorCode;
import dev.modelyard.server.tenant.TenantContext;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Filters against real devices in PostgreSQL, through the list and count endpoints: each selector
 * and operator, combinations, tenant isolation, and values that look like SQL. Four devices of
 * this run (their controller ids share a prefix, so devices of other tests never count):
 * <pre>
 *       arch     mem   tags          detector  last seen   name    status
 *  a    aarch64  512   store, kiosk  1.0.0     2 h ago     Alpha   unknown
 *  b    aarch64  2048  store         2.0.0     3 days ago  Beta    unknown
 *  c    x86_64   abc   kiosk         -         never       -       unknown
 *  d    armv7    1024  -             1.5.0     10 min ago  -       registered
 * </pre>
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceFilterQueryTest {

    @Inject
    AgroalDataSource db;
    @Inject
    DeviceFilters filters;
    @Inject
    TenantContext tenants;

    private String prefix;
    private String model;
    private final Map<String, Long> versionIds = new HashMap<>();

    /** Made once per class: RestAssured knows the test server's port only once tests run, so not in @BeforeAll. */
    @BeforeEach
    void fleet() throws SQLException {
        if (prefix != null) return;
        prefix = Api.uniqueName("flt");
        model = Api.createModel("detector");
        for (String v : List.of("1.0.0", "1.5.0", "2.0.0")) {
            Api.createVersion(model, v);
            versionIds.put(v, id("SELECT v.id FROM model_version v JOIN model m ON m.id = v.model_id WHERE m.name = ? AND v.version = ?",
                    model, v));
        }
        Instant now = Instant.now();
        device("a", Map.of("arch", "aarch64", "mem", "512", "os", "linux-5"), List.of("store", "kiosk"), "Alpha", null);
        device("b", Map.of("arch", "aarch64", "mem", "2048"), List.of("store"), "Beta", null);
        device("c", Map.of("arch", "x86_64", "mem", "abc"), List.of("kiosk"), null, null);
        device("d", Map.of("arch", "armv7", "mem", "1024"), List.of(), null, "O'Brien; DROP TABLE device; --");
        installed("a", "1.0.0");
        installed("b", "2.0.0");
        installed("d", "1.5.0");
        seen("a", now.minus(Duration.ofHours(2)));
        seen("b", now.minus(Duration.ofDays(3)));
        seen("d", now.minus(Duration.ofMinutes(10)));
        update("UPDATE device SET status = 'REGISTERED' WHERE tenant = 'default' AND controller_id = ?", prefix + "-d");
    }

    private void device(String suffix, Map<String, String> attributes, List<String> tags, String name, String description) {
        Map<String, Object> body = new HashMap<>(Map.of("controllerId", prefix + "-" + suffix, "attributes", attributes, "tags", tags));
        if (name != null) body.put("name", name);
        if (description != null) body.put("description", description);
        Api.admin().contentType(ContentType.JSON).body(body).post("/api/v1/devices").then().statusCode(201);
    }

    private void installed(String suffix, String version) throws SQLException {
        long device = id("SELECT id FROM device WHERE tenant = 'default' AND controller_id = ?", prefix + "-" + suffix);
        long modelId = id("SELECT id FROM model WHERE tenant = 'default' AND name = ?", model);
        long versionId = versionIds.get(version);
        try (Connection c = db.getConnection()) {
            long action;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO action (device_id, model_id, version_id, requested, type, status, active, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'FORCED', 'FINISHED', false, now(), now()) RETURNING id""")) {
                ps.setLong(1, device);
                ps.setLong(2, modelId);
                ps.setLong(3, versionId);
                ps.setString(4, version);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    action = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO installed_model (device_id, model_id, version_id, action_id, installed_at) VALUES (?, ?, ?, ?, now())")) {
                ps.setLong(1, device);
                ps.setLong(2, modelId);
                ps.setLong(3, versionId);
                ps.setLong(4, action);
                ps.executeUpdate();
            }
        }
    }

    private void seen(String suffix, Instant at) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE device SET last_seen_at = ? WHERE tenant = 'default' AND controller_id = ?")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, prefix + "-" + suffix);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private void update(String sql, String param) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private long id(String sql, String... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setString(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), sql);
                return rs.getLong(1);
            }
        }
    }

    /** The suffixes of this run's devices the filter selects, from the list; the count must agree. */
    private String selected(Supplier<RequestSpecification> as, String filter) {
        String q = "controllerId==" + prefix + "-*;(" + filter + ")";
        List<String> ids = as.get().queryParam("q", q).queryParam("size", 500).get("/api/v1/devices")
                .then().statusCode(200).extract().jsonPath().getList("items.controllerId", String.class);
        String suffixes = ids.isEmpty() ? "none" : String.join(",", ids.stream().map(id -> id.substring(prefix.length() + 1)).toList());
        int count = as.get().queryParam("q", q).get("/api/v1/devices/count").then().statusCode(200).extract().path("count");
        assertEquals(ids.size(), count, "count of " + filter);
        return suffixes;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "attribute.arch==aarch64                                              | a,b",
            "attribute.arch!=aarch64                                              | c,d",
            "attribute.arch=in=(x86_64,armv7)                                     | c,d",
            "attribute.arch=out=(x86_64,armv7)                                    | a,b",
            "attribute.arch==*64                                                  | a,b,c",
            "attribute.arch!=*64                                                  | d",
            "attribute.mem=gt=600                                                 | b,d",
            "attribute.mem<=512                                                   | a",
            "attribute.mem>=-1                                                    | a,b,d",
            "attribute.mem==abc                                                   | c",
            "attribute.missing!=x                                                 | a,b,c,d",
            "attribute.missing==x                                                 | none",
            "tag==store                                                           | a,b",
            "tag!=store                                                           | c,d",
            "tag=in=(kiosk)                                                       | a,c",
            "tag=out=(store,kiosk)                                                | d",
            "tag==kio*                                                            | a,c",
            "installed.MODEL==*                                                   | a,b,d",
            "installed.MODEL!=*                                                   | c",
            "installed.MODEL=lt=2.0.0                                             | a,d",
            "installed.MODEL>1.0.0                                                | b,d",
            "installed.MODEL==2.*                                                 | b",
            "installed.MODEL==1.5.0                                               | d",
            "installed.MODEL!=1.0.0                                               | b,c,d",
            "installed.MODEL=in=(1.0.0,2.0.0)                                     | a,b",
            "installed.MODEL=out=(1.0.0,2.0.0)                                    | c,d",
            "lastSeen=lt=-P1D                                                     | b",
            "lastSeen=gt=-PT1H                                                    | d",
            "lastControllerRequestAt>=-P1D                                        | a,d",
            "lastSeen!=1                                                          | a,b,d",
            "createdAt<-P1D                                                       | none",
            "createdAt>2020-01-01                                                 | a,b,c,d",
            "name==Alpha                                                          | a",
            "name!=Alpha                                                          | b,c,d",
            "name==*eta                                                           | b",
            "name=in=(Alpha,Beta)                                                 | a,b",
            "name=out=(Alpha)                                                     | b,c,d",
            "status==registered                                                   | d",
            "updateStatus=out=(registered)                                        | a,b,c",
            "attribute.arch==aarch64;tag=in=(store,kiosk);installed.MODEL=lt=2.0.0 | a",
            "(tag==kiosk,installed.MODEL==2.0.0);attribute.arch!=x86_64           | a,b",
            "tag==kiosk or attribute.mem>1500 and installed.MODEL==*              | a,b,c",
            "(tag==kiosk or attribute.mem>1500) and installed.MODEL==*            | a,b",
            "`description=='O\\'Brien; DROP TABLE device; --'`                    | d",
            "`name==\"x' OR '1'='1\"`                                             | none",
            "`attribute.arch==\"aarch64\\\"}, \\\"mem\\\": \\\"512\"`             | none",
    })
    void selectsExactlyTheMatchingDevices(String filter, String expected) {
        assertEquals(expected, selected(Api::viewer, filter.replace("MODEL", model)), filter);
    }

    @Test
    void anotherTenantsDevicesAndModelsAreInvisible() {
        String tenant = Api.uniqueName("fltt");
        String token = Api.as(TestServer.ADMIN_TOKEN).contentType(ContentType.JSON).body(Map.of("id", tenant, "name", tenant))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
        // the same controller id and attributes in the other tenant
        Api.as(token).contentType(ContentType.JSON).body(Map.of("controllerId", prefix + "-a",
                "attributes", Map.of("arch", "aarch64"), "tags", List.of("store"))).post("/api/v1/devices").then().statusCode(201);
        assertEquals("a,b", selected(Api::viewer, "attribute.arch==aarch64"));
        assertEquals("a", selected(() -> Api.as(token), "attribute.arch==aarch64;tag==store"));
        // the default tenant's model does not exist in the other tenant
        Api.as(token).queryParam("q", "installed." + model + "==*").get("/api/v1/devices/count").then().statusCode(400)
                .body("code", equalTo("invalid-filter")).body("offset", equalTo(10));
    }

    /** Times beyond what PostgreSQL's timestamps hold are the filter's error at the value, not the database's. */
    @Test
    void timesOutsideTheDatabasesRangeAreFilterErrors() {
        String[][] cases = {
                {"lastSeen=lt=+300000-01-01T00:00:00Z", "12"},
                {"lastSeen=gt=-P3650000D", "12"},
                {"tag==store;lastSeen=lt=999999999999999", "23"},
                {"lastSeen=gt=-PT2562047788015215H", "12"},
        };
        for (String[] c : cases) {
            int offset = Integer.parseInt(c[1]);
            Api.viewer().queryParam("q", c[0]).get("/api/v1/devices").then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("invalid-filter")).body("offset", equalTo(offset));
            Api.viewer().queryParam("q", c[0]).get("/api/v1/devices/count").then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("invalid-filter")).body("offset", equalTo(offset));
            Api.admin().contentType(ContentType.JSON).body(Map.of("name", Api.uniqueName("far"), "filter", c[0]))
                    .post("/api/v1/device-groups").then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo("invalid-filter"));
        }
    }

    @Test
    void aBareWordIsAControllerIdPrefixAsBefore() {
        List<String> ids = Api.viewer().queryParam("q", prefix + "-").get("/api/v1/devices").then().statusCode(200)
                .body("total", equalTo(4)).extract().jsonPath().getList("items.controllerId", String.class);
        assertEquals(Arrays.asList(prefix + "-a", prefix + "-b", prefix + "-c", prefix + "-d"), ids);
        Api.viewer().queryParam("q", prefix + "-").queryParam("tag", "kiosk").queryParam("status", "unknown")
                .get("/api/v1/devices").then().statusCode(200).body("total", equalTo(2));
    }

    @Test
    void servicesMatchOneDeviceAndWalkTheFleetInBatches() throws SQLException {
        long a = id("SELECT id FROM device WHERE tenant = 'default' AND controller_id = ?", prefix + "-a");
        long b = id("SELECT id FROM device WHERE tenant = 'default' AND controller_id = ?", prefix + "-b");
        long c = id("SELECT id FROM device WHERE tenant = 'default' AND controller_id = ?", prefix + "-c");
        tenants.runAs("default", () -> QuarkusTransaction.requiringNew().run(() -> {
            DeviceFilter f = filters.compileField("controllerId==" + prefix + "-*;tag==store", "filter");
            assertEquals(2, filters.count(f));
            assertTrue(filters.matches(f, a));
            assertFalse(filters.matches(f, c));
            List<Long> first = filters.idsAfter(f, 0, 1);
            assertEquals(List.of(Math.min(a, b)), first);
            assertEquals(List.of(Math.max(a, b)), filters.idsAfter(f, first.get(0), 10));
            assertEquals(List.of(), filters.idsAfter(f, Math.max(a, b), 10));
        }));
        DomainException e = assertThrows(DomainException.class, () -> tenants.runAs("default",
                () -> QuarkusTransaction.requiringNew().run(() -> filters.compileField("tag==a;tag==", "phases[0].filter"))));
        assertEquals("phases[0].filter", e.field());
        assertNull(e.parameter());
        assertEquals(12, e.tokenOffset());
        assertEquals(ErrorCode.INVALID_FILTER, e.code());
    }

    @Test
    void pagesFollowControllerIdOrder() {
        String q = "controllerId==" + prefix + "-*";
        Api.viewer().queryParam("q", q).queryParam("size", 3).queryParam("page", 1).get("/api/v1/devices").then().statusCode(200)
                .body("total", equalTo(4)).body("items.controllerId", equalTo(List.of(prefix + "-d")))
                .body("page", equalTo(1)).body("size", equalTo(3));
    }
}
