package dev.modelyard.server.ddi;

import static dev.modelyard.server.ddi.DdiFlowTest.assign;
import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static dev.modelyard.server.ddi.DdiFlowTest.poll;
import static dev.modelyard.server.ddi.DdiFlowTest.publishedModel;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.TestServer;
import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import dev.modelyard.server.device.DeviceChangeFeed;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.http.Header;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The I/O-thread poll ({@link DdiFastPoll}) answers exactly as the REST path does, and leaves
 * everything it cannot decide from memory to it. A poll with a query string always goes the
 * REST way: that is how these tests get the REST path's answer to compare with.
 */
@QuarkusTest
class DdiFastPollTest {

    @Inject
    DdiFastPoll fast;

    @Inject
    DeviceChangeFeed feed;

    @Inject
    AgroalDataSource db;

    /** Status, body and headers of an answer; Date left out (it moves with the clock). */
    record Answer(int status, byte[] body, Map<String, String> headers) {
        static Answer of(Response r) {
            Map<String, String> headers = new TreeMap<>();
            for (Header h : r.headers()) {
                if (!h.getName().equalsIgnoreCase("Date")) headers.merge(h.getName().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b);
            }
            return new Answer(r.statusCode(), r.asByteArray(), headers);
        }
    }

    @BeforeEach
    void feedIsLive() throws InterruptedException {
        Api.await("the change feed", Duration.ofSeconds(60), feed::live);
    }

    /**
     * The answer of the I/O-thread path, asked until it answers (60 s at most). A change-feed
     * notice of a change made just before (a report, an assignment) may reach this replica after
     * the REST path cached its answer and drop that entry; the next poll then goes to the REST
     * path once more and caches it again.
     */
    private Answer viaFastPath(RequestSpecification request, String path) {
        java.util.concurrent.atomic.AtomicReference<Answer> answer = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            Api.await("a poll answered on the I/O thread: " + path, Duration.ofSeconds(60), () -> {
                long before = fast.answered();
                answer.set(Answer.of(request.get(path)));
                return fast.answered() > before;
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while polling " + path, e);
        }
        return answer.get();
    }

    /** The answer of the REST path, which answers whatever the fast path leaves. */
    private Answer viaRestPath(RequestSpecification request, String path) {
        long before = fast.answered();
        Answer a = Answer.of(request.get(path + "?via=rest"));
        assertEquals(before, fast.answered(), "left to the REST path: " + path);
        return a;
    }

    private void assertSameAnswer(Dev d, UnaryOperator<RequestSpecification> request) {
        // The first poll loads the device into the caches.
        request.apply(d.as()).get(d.path()).then().statusCode(200);
        Answer rest = viaRestPath(request.apply(d.as()), d.path());
        Answer fastAnswer = viaFastPath(request.apply(d.as()), d.path());
        assertEquals(200, fastAnswer.status());
        assertEquals(new String(rest.body()), new String(fastAnswer.body()));
        assertArrayEquals(rest.body(), fastAnswer.body());
        assertEquals(rest.headers(), fastAnswer.headers());
        assertNotNull(fastAnswer.headers().get("etag"));

        String etag = fastAnswer.headers().get("etag");
        Answer rest304 = viaRestPath(request.apply(d.as()).header("If-None-Match", etag), d.path());
        Answer fast304 = viaFastPath(request.apply(d.as()).header("If-None-Match", etag), d.path());
        assertEquals(304, fast304.status());
        assertEquals(rest304.headers(), fast304.headers());
        assertEquals(0, fast304.body().length);
    }

    @Test
    void anIdleDeviceGetsTheRestPathsAnswerInEveryMediaType() {
        Dev d = device("fast-idle");
        assertSameAnswer(d, r -> r);
        assertSameAnswer(d, r -> r.accept("application/hal+json"));
        assertSameAnswer(d, r -> r.accept("application/json"));
        assertSameAnswer(d, r -> r.accept("*/*"));
        assertSameAnswer(d, r -> r.header("X-Forwarded-Proto", "https"));
        assertSameAnswer(d, r -> r.header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "updates.example.com"));
    }

    @Test
    void aDeviceWithAnOpenActionGetsTheRestPathsAnswer() {
        Dev d = device("fast-open");
        DdiFlowTest.report(d, DdiFlowTest.x86(""));
        String m = publishedModel("1.0.0", Api.onnxModel(21), Api.onnxModel(22));
        assign(m, "1.0.0", d, "forced");
        assertNotNull(poll(d).get("_links.deploymentBase.href"));
        assertSameAnswer(d, r -> r.accept("application/hal+json"));
        assertSameAnswer(d, r -> r.accept("application/json").header("X-Forwarded-Proto", "https"));
        // Back to the plain base URL: links rendered for https must not be served to it.
        assertSameAnswer(d, r -> r);
    }

    @Test
    void aChangeMadeHereIsInTheVeryNextPoll() {
        Dev d = device("fast-change");
        DdiFlowTest.report(d, DdiFlowTest.x86(""));
        poll(d);
        Answer before = viaFastPath(d.as(), d.path());
        String m = publishedModel("1.0.0", Api.onnxModel(23), Api.onnxModel(24));
        assign(m, "1.0.0", d, "forced");
        // No waiting: this replica's caches drop the device when the assignment commits.
        assertNotNull(poll(d).get("_links.deploymentBase.href"));
        Answer after = viaFastPath(d.as(), d.path());
        assertTrue(new String(after.body()).contains("deploymentBase"));
        assertTrue(!before.headers().get("etag").equals(after.headers().get("etag")));
    }

    @Test
    void aChangeCommittedElsewhereReachesTheFastPath() throws Exception {
        Dev d = device("fast-elsewhere");
        assertNotNull(poll(d).get("_links.configData"));
        viaFastPath(d.as(), d.path());
        sql("UPDATE device SET attributes_requested = false, state_version = state_version + 1 WHERE controller_id = ?", d.id());
        Api.await("the change to reach the poll answer", Duration.ofSeconds(60),
                () -> !new String(d.as().get(d.path()).asByteArray()).contains("configData"));
    }

    @Test
    void refusalsAreTheRestPathsAnswers() throws Exception {
        Dev d = device("fast-refuse");
        Dev other = device("fast-refuse-other");
        poll(d);
        poll(other);
        viaFastPath(d.as(), d.path());
        // A wrong token, another device's token, no token at all; a lowercase scheme with spaces is as good as any.
        assertEquals(401, refusedHere(given().header("Authorization", "TargetToken mydt_wrong"), d.path()));
        assertEquals(401, refusedHere(other.as(), d.path()));
        assertEquals(200, viaFastPath(given().header("Authorization", "  targettoken   " + d.token() + " "), d.path()).status());
        assertEquals(401, refusedHere(given(), d.path()));
        // The token under another tenant's path, and under a tenant that does not exist.
        String tenant = tenant("fast-other");
        assertEquals(401, refusedHere(d.as(), "/" + tenant + "/controller/v1/" + d.id()));
        assertEquals(401, refusedHere(d.as(), "/no-such-tenant/controller/v1/" + d.id()));
        // Media types and paths the REST path negotiates.
        assertEquals(406, refusedHere(d.as().accept("text/plain"), d.path()));
        assertEquals(200, refusedHere(d.as().accept("application/cbor"), d.path()));
        assertEquals(200, refusedHere(d.as().accept("application/json;q=0.5, application/hal+json"), d.path()));
        // A token being rotated: the old one stops working at once, the new one polls.
        String rotated = Api.admin().post("/api/v1/devices/{id}/token", d.id()).then().statusCode(200)
                .extract().path("token");
        assertEquals(401, d.as().get(d.path()).statusCode());
        given().header("Authorization", "TargetToken " + rotated).get(d.path()).then().statusCode(200);
    }

    @Test
    void gatewayTokensGoTheRestWay() {
        String tenant = tenant("fast-gateway");
        String admin = tenantAdmin.get(tenant);
        String gateway = Api.as(admin).post("/api/v1/settings/gateway-token").then().statusCode(200)
                .extract().path("gatewayToken.token");
        String path = "/" + tenant + "/controller/v1/" + Api.uniqueName("gw-dev");
        RequestSpecification asGateway = given().header("Authorization", "GatewayToken " + gateway);
        for (int i = 0; i < 3; i++) assertEquals(200, refusedHere(asGateway, path));
        assertEquals(401, refusedHere(given().header("Authorization", "GatewayToken wrong"), path));
    }

    @Test
    void withoutAnAddressLimitPollsAreAnsweredBeforeTheSecurityHandlers() {
        // The default: no per-address limit for DDI, so no RequestGate check to wait for.
        assertEquals(DdiFastPoll.EARLY_ORDER, fast.order());
        Dev d = device("fast-early");
        poll(d);
        assertEquals(200, viaFastPath(d.as(), d.path()).status());
    }

    @Test
    void theHttpMetricsNameTheRouteNotTheDevice() {
        Dev d = device("fast-metrics");
        poll(d);
        viaFastPath(d.as(), d.path());
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("uri=\"/{tenant}/controller/v1/{controllerId}\""), "the route template is the uri tag");
        assertTrue(!metrics.contains(d.id()), "no series names the device");
    }

    /** Status of a request the fast path must leave to the REST path. */
    private int refusedHere(RequestSpecification request, String path) {
        long before = fast.answered();
        int status = request.get(path).statusCode();
        assertEquals(before, fast.answered(), "left to the REST path: " + path);
        return status;
    }

    private final Map<String, String> tenantAdmin = new java.util.concurrent.ConcurrentHashMap<>();

    private String tenant(String prefix) {
        String id = Api.uniqueName(prefix);
        String token = Api.as(TestServer.ADMIN_TOKEN).contentType(ContentType.JSON).body(Map.of("id", id, "name", "Team " + id))
                .post("/api/v1/tenants").then().statusCode(201).extract().path("adminToken.token");
        tenantAdmin.put(id, token);
        return id;
    }

    private void sql(String statement, Object... args) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.execute();
        }
    }
}
