package dev.modelyard.server.ddi;

import static dev.modelyard.server.ddi.DdiFlowTest.assign;
import static dev.modelyard.server.ddi.DdiFlowTest.device;
import static dev.modelyard.server.ddi.DdiFlowTest.feedback;
import static dev.modelyard.server.ddi.DdiFlowTest.publishedModel;
import static dev.modelyard.server.ddi.DdiFlowTest.report;
import static dev.modelyard.server.ddi.DdiFlowTest.x86;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.modelyard.server.Api;
import dev.modelyard.server.ddi.DdiFlowTest.Dev;
import dev.modelyard.testing.TestPostgres;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Losing PostgreSQL while devices poll, report and download and people use the management API:
 * the server's connections are terminated again and again, then the database refuses connections
 * for a while. Every answer must be a success, a 304 or a 503 with {@code Retry-After} (the
 * management API's as problem+json with code {@code database-unavailable}); never a 401 to a valid
 * device or token, never a 500, never a stack trace. Afterwards everything works again by itself,
 * and the readiness check follows the database down and up. Recovery times are printed, not asserted.
 */
@QuarkusTest
class DatabaseLossTest {

    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Inject
    AgroalDataSource db;

    @TestHTTPResource("/")
    URL base;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

    /** One kind of request the test keeps sending, and whether it speaks the management API. */
    private record Call(String name, boolean management, Supplier<HttpRequest> request) {
    }

    @Test
    void survivesLostConnectionsAndARefusingDatabase() throws Exception {
        String database = currentDatabase();
        byte[] cpu = Api.onnxModel(3000, 11);
        String model = publishedModel("1.0.0", cpu, Api.onnxModel(4000, 12));
        Dev cached = device("dbloss-cached");     // nothing changes: polls are answered from memory
        Dev changing = device("dbloss-changing"); // reassigned again and again: polls read the database
        Dev reporting = device("dbloss-feedback"); // sends feedback and downloads
        for (Dev d : List.of(cached, changing, reporting)) report(d, x86(""));
        long action = assign(model, "1.0.0", reporting, "forced").getLong("actions[0].id");
        String deployment = DdiFlowTest.poll(reporting).getString("_links.deploymentBase.href");
        String download = reporting.as().get(deployment).then().statusCode(200).extract().jsonPath()
                .getString("deployment.chunks[0].artifacts[0]._links.download-http.href");
        String publisher = Api.token("publisher");
        String viewer = Api.token("viewer");

        List<Call> calls = List.of(
                new Call("cached poll", false, () -> ddi(cached, "").GET().build()),
                new Call("uncached poll", false, () -> ddi(changing, "").GET().build()),
                new Call("feedback", false, () -> ddi(reporting, "/deploymentBase/" + action + "/feedback")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(feedback("proceeding", "none", "downloading"))).build()),
                new Call("download", false, () -> asDevice(reporting, download).GET().build()),
                new Call("list models", true, () -> api(viewer, "/api/v1/models?size=5").GET().build()),
                new Call("read device", true, () -> api(viewer, "/api/v1/devices/" + cached.id()).GET().build()),
                new Call("assign", true, () -> api(publisher, "/api/v1/deployments").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"version\":\"1.0.0\",\"device\":\""
                                + changing.id() + "\",\"type\":\"soft\"}")).build()));
        everyCallSucceeds(calls, "before the database is touched");

        // 1. Connections terminated again and again under load.
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService workers = Executors.newFixedThreadPool(calls.size());
        List<Future<?>> loops = new ArrayList<>();
        for (Call call : calls) loops.add(workers.submit(() -> {
            while (running.get()) send(call);
            return null;
        }));
        int terminated = 0;
        for (int round = 0; round < 25; round++) {
            terminated += terminateConnections(database);
            Thread.sleep(150); // pacing only: lets requests run between the cuts
        }
        running.set(false);
        workers.shutdown();
        for (Future<?> f : loops) f.get();
        long cutsEnded = System.nanoTime();
        everyCallSucceedsWithin(calls, "after the connections were terminated");
        double recovered = (System.nanoTime() - cutsEnded) / 1e9;
        System.out.printf("database loss: %d connections terminated in 25 rounds; answers %s; every call succeeded again %.2f s after the last cut%n",
                terminated, seen, recovered);
        assertTrue(seen.keySet().stream().anyMatch(k -> k.endsWith(" 503")),
                "terminating the connections under load made no request fail: the test did not test anything; " + seen);
        assertNoViolations();

        // 2. The database refuses connections for a while.
        try {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            terminateConnections(database);
            awaitFor("the management API to answer 503", () -> send(calls.get(4)) == 503);
            awaitFor("the readiness check to report the database down", () -> health() == 503);
            for (Call call : calls) {
                awaitFor(call.name() + " to answer 503 while the database refuses connections", () -> send(call) == 503);
            }
            assertNoViolations();
        } finally {
            admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
        long allowed = System.nanoTime();
        awaitFor("the readiness check to report the database up", () -> health() == 200);
        double healthUp = (System.nanoTime() - allowed) / 1e9;
        everyCallSucceedsWithin(calls, "after the database accepts connections again");
        double callsUp = (System.nanoTime() - allowed) / 1e9;
        System.out.printf("database refusing connections: readiness UP %.2f s and every call succeeded %.2f s after it accepted connections again%n",
                healthUp, callsUp);
        assertNoViolations();
    }

    // ---- requests and their checks ------------------------------------------------------------

    private HttpRequest.Builder ddi(Dev d, String path) {
        return asDevice(d, base.toString().replaceAll("/$", "") + d.path() + path);
    }

    private HttpRequest.Builder asDevice(Dev d, String uri) {
        return asDevice(d, URI.create(uri));
    }

    private HttpRequest.Builder asDevice(Dev d, URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Authorization", "TargetToken " + d.token());
    }

    private HttpRequest.Builder api(String token, String path) {
        return HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
    }

    /** Sends the call, records its status and any answer the rules forbid; returns the status. */
    private int send(Call call) {
        HttpResponse<String> r;
        try {
            r = http.send(call.request().get(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            violations.add(call.name() + ": no answer (" + e + ")");
            return -1;
        }
        int status = r.statusCode();
        seen.computeIfAbsent(call.name() + " " + status, k -> new AtomicInteger()).incrementAndGet();
        String body = r.body();
        if (status == 401 || status >= 500 && status != 503 || !(status / 100 == 2 || status == 304 || status == 503)) {
            violations.add(call.name() + " → " + status + ": " + abbreviate(body));
        }
        if (body.contains("Exception") || body.contains("\tat ") || body.contains("at org.") || body.contains("at io.")) {
            violations.add(call.name() + " → " + status + " with what looks like a stack trace: " + abbreviate(body));
        }
        if (status == 503) {
            if (r.headers().firstValue("Retry-After").isEmpty()) violations.add(call.name() + " → 503 without Retry-After");
            if (call.management()) {
                String type = r.headers().firstValue("Content-Type").orElse("");
                if (!type.startsWith("application/problem+json") || !body.contains("\"code\":\"database-unavailable\"")) {
                    violations.add(call.name() + " → 503 that is not a database-unavailable problem: " + type + " " + abbreviate(body));
                }
            }
        }
        return status;
    }

    private int health() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private void everyCallSucceeds(List<Call> calls, String when) {
        for (Call call : calls) {
            int status = send(call);
            assertTrue(status / 100 == 2 || status == 304, call.name() + " " + when + ": " + status);
        }
    }

    private void everyCallSucceedsWithin(List<Call> calls, String when) throws InterruptedException {
        for (Call call : calls) {
            awaitFor(call.name() + " to succeed " + when, () -> {
                int status = send(call);
                return status / 100 == 2 || status == 304;
            });
        }
    }

    private void assertNoViolations() {
        assertEquals(List.of(), List.copyOf(violations), "answers the rules forbid; all answers: " + seen);
    }

    private static void awaitFor(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        Api.await(what, DEADLINE, condition);
    }

    private static String abbreviate(String body) {
        return body.length() > 400 ? body.substring(0, 400) + "…" : body;
    }

    // ---- the database server ---------------------------------------------------------------------

    private String currentDatabase() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Terminates every connection to {@code database} (the pool's and the change feed's); returns how many. */
    private static int terminateConnections(String database) throws Exception {
        try (Connection c = TestPostgres.adminConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                     + "WHERE datname = '" + database + "' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = TestPostgres.adminConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
